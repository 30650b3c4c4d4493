#!/usr/bin/env python3
"""`make run` / `make debug`: boot the kernel in QEMU on this terminal.

The serial console is relayed between QEMU and the terminal (raw mode when
stdin is a terminal; Ctrl-A x quits). QEMU gets the project's standard
devices: virtio-balloon-pci (id=balloon0), a QMP socket at build/qmp.sock,
isa-debug-exit. The host-measured time from QEMU start to the kernel's ready
line is printed once it appears.

Usage: run.py [--mem 512M] [--uefi] [--debug [--gdb-batch]] -- [kernel command line]
"""
import argparse
import os
import select
import subprocess
import sys
import termios
import time
import tty

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

CTRL_A = b"\x01"


def relay(machine):
    """Shuttle bytes between the terminal and QEMU until QEMU exits."""
    out = machine.proc.stdout.fileno()
    inp = sys.stdin.fileno()
    stdin_open = True
    ready_seen = False
    ready_at = None
    tail = b""
    escape = False
    while True:
        fds = [out] + ([inp] if stdin_open else [])
        r, _, _ = select.select(fds, [], [], 0.5)
        if out in r:
            data = os.read(out, 65536)
            if not data:
                return
            os.write(sys.stdout.fileno(), data)
            if not ready_seen:
                tail = (tail + data)[-4096:]
                idx = tail.find(qemu.READY_LINE.encode())
                if idx >= 0 and ready_at is None:
                    ready_at = time.monotonic()
                if ready_at is not None and b"\n" in tail[idx:]:
                    ready_seen = True  # reported once the ready line is complete
                    ms = (ready_at - machine.start_time) * 1000
                    os.write(sys.stdout.fileno(),
                             b"[host] boot-to-ready: %.0f ms (QEMU start to ready line)\r\n" % ms)
        if stdin_open and inp in r:
            data = os.read(inp, 1024)
            if not data:
                stdin_open = False
                continue
            for b in data:
                c = bytes([b])
                if escape:
                    escape = False
                    if c in (b"x", b"X"):
                        machine.kill()
                        return
                elif c == CTRL_A:
                    escape = True
                    continue
                machine.proc.stdin.write(c)
            machine.proc.stdin.flush()
        if machine.proc.poll() is not None and out not in r:
            return


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mem", default="512M")
    ap.add_argument("--uefi", action="store_true")
    ap.add_argument("--debug", action="store_true")
    ap.add_argument("--gdb-batch", action="store_true",
                    help="with --debug: gdb -batch, print a backtrace at kmain, quit")
    ap.add_argument("cmdline", nargs="*")
    args = ap.parse_args()
    cmdline = " ".join(args.cmdline)
    qmp_path = os.path.join(qemu.BUILD, "qmp.sock")
    extra = ["-qmp", "unix:%s,server,nowait" % qmp_path]
    if os.path.exists(qmp_path):
        os.unlink(qmp_path)
    if args.debug:
        extra += ["-s", "-S"]
    machine = qemu.Machine(cmdline, mem=args.mem, uefi=args.uefi, qmp=False, extra=extra,
                           name="run")
    print("[host] QEMU: %s" % " ".join(machine.args))
    print("[host] QMP socket: %s; serial console below (Ctrl-A x quits)" % qmp_path)
    if args.debug:
        gdb = ["gdb", "-q"] + (["-batch"] if args.gdb_batch else []) + [
            qemu.KERNEL, "-ex", "set architecture i386:x86-64",
            "-ex", "target remote :1234", "-ex", "hbreak kmain", "-ex", "continue"]
        if args.gdb_batch:
            gdb += ["-ex", "bt", "-ex", "kill"]
        print("[host] debug: QEMU waits for gdb on :1234; starting: %s" % " ".join(gdb))
        subprocess.call(gdb)
        machine.close()
        return 0
    is_tty = os.isatty(sys.stdin.fileno())
    saved = termios.tcgetattr(sys.stdin.fileno()) if is_tty else None
    try:
        if is_tty:
            tty.setraw(sys.stdin.fileno())
        relay(machine)
    finally:
        if saved:
            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, saved)
        machine.close()
    status = machine.proc.returncode
    print("\n[host] QEMU exited with status %s" % status)
    return 0 if status in (0, qemu.EXIT_SUCCESS) or status < 0 else 1


if __name__ == "__main__":
    sys.exit(main())
