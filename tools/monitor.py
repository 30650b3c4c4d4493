#!/usr/bin/env python3
"""Run monitor commands on a running kernel from a script.

The kernel runs a second monitor on COM2, which QEMU (tools/run.py,
tools/qemu.py) serves on a unix socket, build/monitor.sock by default. Each
command is typed there; its answer (the text up to the next prompt) is
printed. Exit status: 0 when every command answered without an `error:` or
`usage:` line, 1 when one did, 2 when the socket cannot be reached or the
kernel does not answer in time.

Usage: monitor.py [--sock PATH] [--timeout S] COMMAND...
Example: tools/monitor.py meminfo "compact 9" balloon
"""
import argparse
import os
import socket
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SOCK = os.path.join(os.environ.get("O", os.path.join(ROOT, "build")), "monitor.sock")
CTRL_U = "\x15"  # clears whatever an earlier client left half typed


class MonitorError(Exception):
    """The kernel's monitor could not be reached or did not answer."""


class Monitor:
    """One connection to the monitor socket."""

    def __init__(self, path, timeout):
        self.timeout = timeout
        self.buf = ""
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.sock.connect(path)
        except OSError as e:
            self.sock.close()
            raise MonitorError("cannot connect to %s: %s" % (path, e)) from e

    def _read_until(self, done, deadline):
        """Receive until done(buffer) is true; return the buffer. The kernel
        ends lines with "\r\n"; a pair split between two reads is joined
        before the buffer is looked at."""
        while not done(self.buf.replace("\r\n", "\n")):
            left = deadline - time.monotonic()
            if left <= 0:
                raise MonitorError("no answer within %.0f s; got %r" %
                                   (self.timeout, self.buf[-200:]))
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                raise MonitorError("connection closed; got %r" % self.buf[-200:])
            self.buf += chunk.decode("utf-8", "replace")
        self.buf = self.buf.replace("\r\n", "\n")
        return self.buf

    def command(self, line):
        """Type @line; return its output, without the echo and the prompt."""
        deadline = time.monotonic() + self.timeout
        self.buf = ""
        self.sock.sendall((CTRL_U + line + "\r").encode())
        echo = line + "\n"
        self._read_until(lambda b: echo in b, deadline)
        self.buf = self.buf[self.buf.index(echo) + len(echo):]
        out = self._read_until(lambda b: b == "> " or b.endswith("\n> "), deadline)
        return out[:-len("> ")]

    def close(self):
        self.sock.close()


def answer_failed(output):
    """Did the command report an error or print its usage?"""
    return any(l.startswith(("error:", "usage:")) for l in output.splitlines())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sock", default=DEFAULT_SOCK, help="monitor socket (default %(default)s)")
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="seconds to wait for each answer (default %(default)s)")
    ap.add_argument("commands", nargs="+", metavar="COMMAND")
    args = ap.parse_args()
    status = 0
    try:
        mon = Monitor(args.sock, args.timeout)
        try:
            for line in args.commands:
                out = mon.command(line)
                sys.stdout.write(out)
                sys.stdout.flush()
                if answer_failed(out):
                    status = 1
        finally:
            mon.close()
    except MonitorError as e:
        print("monitor.py: %s" % e, file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":
    sys.exit(main())
