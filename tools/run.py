#!/usr/bin/env python3
"""`make run` / `make debug`: boot the kernel in QEMU on this terminal.

The serial console is relayed between QEMU and the terminal (raw mode when
stdin is a terminal; Ctrl-A x quits). QEMU gets the project's standard
devices: virtio-balloon-pci (id=balloon0), a QMP socket at build/qmp.sock,
isa-debug-exit, and a second serial port (COM2, the kernel's scripting
monitor) on build/monitor.sock for tools/monitor.py. The host-measured time
from QEMU start to the kernel's ready line is printed once it appears.

With --demo (the default of `make run`; DEMO=0 skips it) this script types a
short tour into the serial shell after the ready line: the mm summary, a
balloon inflation through QMP, fragmentation, the pageblock map, compaction,
the picture again and the balloon figures, each step introduced by a "[demo]"
line; then the terminal is the user's.

Usage: run.py [--sock-dir DIR] [--mem 512M] [--smp 2] [--vmem 2G] [--uefi] [--demo|--no-demo] [--debug [--gdb-batch]]
              -- [kernel command line]
"""
import argparse
import os
import select
import socket
import subprocess
import sys
import termios
import time
import tty

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

CTRL_A = b"\x01"
PROMPT = b"\n> "
DEMO_BALLOON_SHARE = 4  # inflate the balloon to 1/4 of guest RAM (384 of 512 MiB left)


class Console:
    """The serial console of a Machine, mirrored to our stdout: remembers
    the ready line and the last bytes so the demo can wait for a prompt."""

    def __init__(self, machine):
        self.machine = machine
        self.out = machine.proc.stdout.fileno()
        self.tail = b""
        self.ready_seen = False
        self.ready_at = None
        self.eof = False

    def write(self, text):
        """Print our own line(s) between the guest's output."""
        os.write(sys.stdout.fileno(), text.replace("\n", "\r\n").encode())

    def _note_ready(self, data):
        idx = self.tail.find(qemu.READY_LINE.encode())
        if idx >= 0 and self.ready_at is None:
            self.ready_at = time.monotonic()
        if self.ready_at is not None and b"\n" in self.tail[idx:]:
            self.ready_seen = True  # reported once the ready line is complete
            ms = (self.ready_at - self.machine.start_time) * 1000
            self.write("[host] boot-to-ready: %.0f ms (QEMU start to ready line)\n" % ms)

    def pump(self):
        """Copy what QEMU printed (called when its stdout is readable)."""
        data = os.read(self.out, 65536)
        if not data:
            self.eof = True
            return
        os.write(sys.stdout.fileno(), data)
        self.tail = (self.tail + data.replace(b"\r\n", b"\n"))[-8192:]
        if not self.ready_seen:
            self._note_ready(data)

    def wait_for(self, done, timeout):
        """Relay output until done() holds. Return: False on timeout or EOF."""
        deadline = time.monotonic() + timeout
        while not done():
            left = deadline - time.monotonic()
            if left <= 0 or self.eof:
                return False
            r, _, _ = select.select([self.out], [], [], min(left, 0.5))
            if r:
                self.pump()
        return True

    def at_prompt(self):
        """Has a prompt appeared since the tail was last cleared? (Log lines
        from other threads may follow it.)"""
        return PROMPT in self.tail

    def type_command(self, line, timeout=300):
        """Type @line into the shell and relay until the next prompt."""
        self.tail = b""
        self.machine.send(line + "\r")
        return self.wait_for(self.at_prompt, timeout)


def free_tcp_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_balloon(con, qmp_path, mem):
    """Inflate the balloon through QMP and relay output until query-balloon
    reports the new size. Return: False when it did not get there."""
    total = qemu.mem_bytes(mem)
    target = total - total // DEMO_BALLOON_SHARE
    con.write("[demo] QMP: balloon to %d MiB of %d MiB (inflate %d MiB)\n" %
              (target >> 20, total >> 20, (total - target) >> 20))
    q = qemu.QMP(qmp_path)
    try:
        q.execute("balloon", value=target)
        start = time.monotonic()
        ok = True
        while q.execute("query-balloon")["actual"] != target:
            if time.monotonic() - start > 120 or con.eof:
                ok = False
                break
            con.wait_for(lambda: False, 0.2)  # relay the guest's output meanwhile
        con.write("[demo] QMP: query-balloon %s %d MiB after %.1f s\n" %
                  ("reports" if ok else "did not reach", target >> 20,
                   time.monotonic() - start))
        return ok
    finally:
        q.close()


def demo_steps(color, smp):
    """The tour: (introduction, command) pairs; command None = the balloon.
    With a second CPU, compaction runs while a thread there keeps writing
    into the pages it moves."""
    picture_cmd = "picture color" if color else "picture"
    compact = [("compaction migrates movable pages to rebuild free 2 MiB blocks", "compact")]
    if smp > 1:
        compact = [
            ("a writer thread on the last CPU keeps writing into every mapped page", "writer on"),
            ("compaction moves those pages under the writer: an access to a page in "
             "flight faults and waits for the move (faults-and-waits)", "compact"),
            ("the writer stops and checks that no write was lost", "writer off"),
        ]
    return [
        ("the CPUs: APIC ids, ticks, IPIs, idle share, the thread each runs", "cpus"),
        ("memory summary: totals, watermarks, fragmentation score", "meminfo"),
        ("the host takes guest memory back through the virtio balloon", None),
        ("fragment memory: movable and unmovable pages interleaved", "frag mixed"),
        ("physical memory, one character per 2 MiB pageblock", picture_cmd),
    ] + compact + [
        ("the picture after compaction", picture_cmd),
        ("balloon figures, including balloon pages migrated by compaction", "balloon"),
    ]


def run_demo(con, qmp_path, mem, color, smp):
    """Type the tour into the shell once the first prompt is up.
    Return: False when the kernel stopped answering."""
    if not con.wait_for(con.at_prompt, 120):
        con.write("[demo] no prompt from the kernel; skipping the demo\n")
        return False
    for intro, command in demo_steps(color, smp):
        con.write("\n[demo] %s\n" % intro)
        ok = demo_balloon(con, qmp_path, mem) if command is None else \
            con.type_command(command)
        if not ok:
            con.write("[demo] step did not finish; stopping the demo\n")
            return False
    con.write("\n[demo] done: the shell is yours (`help` lists the commands, "
              "Ctrl-A x quits)\n")
    con.machine.send("\r")  # a fresh prompt under the last line
    return True


def forward_input(machine, data, state):
    """Send terminal input to QEMU; Ctrl-A x kills it. Return: False to stop."""
    for b in data:
        c = bytes([b])
        if state["escape"]:
            state["escape"] = False
            if c in (b"x", b"X"):
                machine.kill()
                return False
        elif c == CTRL_A:
            state["escape"] = True
            continue
        machine.proc.stdin.write(c)
    machine.proc.stdin.flush()
    return True


def relay(con):
    """Shuttle bytes between the terminal and QEMU until QEMU exits."""
    machine = con.machine
    inp = sys.stdin.fileno()
    stdin_open = True
    state = {"escape": False}
    while not con.eof:
        fds = [con.out] + ([inp] if stdin_open else [])
        r, _, _ = select.select(fds, [], [], 0.5)
        if con.out in r:
            con.pump()
        if stdin_open and inp in r:
            data = os.read(inp, 1024)
            if not data:
                stdin_open = False
            elif not forward_input(machine, data, state):
                return
        if machine.proc.poll() is not None and con.out not in r:
            return


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mem", default="512M")
    ap.add_argument("--smp", type=int, default=2, help="CPUs (-smp)")
    ap.add_argument("--vmem", default="", help="add a virtio-mem device of this size (2G)")
    ap.add_argument("--uefi", action="store_true")
    ap.add_argument("--debug", action="store_true")
    ap.add_argument("--demo", dest="demo", action="store_true", default=False,
                    help="type the mm tour into the shell after boot")
    ap.add_argument("--no-demo", dest="demo", action="store_false")
    ap.add_argument("--gdb-batch", action="store_true",
                    help="with --debug: gdb -batch, print a backtrace at kmain, quit")
    ap.add_argument("--sock-dir", default=qemu.BUILD,
                    help="where qmp.sock and monitor.sock go (default: the build directory)")
    ap.add_argument("cmdline", nargs="*")
    args = ap.parse_args()
    cmdline = " ".join(args.cmdline)
    qmp_path = os.path.join(args.sock_dir, "qmp.sock")
    monitor_path = os.path.join(args.sock_dir, "monitor.sock")
    extra = ["-qmp", "unix:%s,server,nowait" % qmp_path]
    if os.path.exists(qmp_path):
        os.unlink(qmp_path)
    gdb_addr = "127.0.0.1:%d" % free_tcp_port() if args.debug else None
    if args.debug:
        # An address, not a name: a machine without /etc/hosts cannot resolve
        # "localhost" or the empty host; a free port: two debug sessions or a
        # test beside a `make debug` do not collide.
        extra += ["-gdb", "tcp:" + gdb_addr, "-S"]
    machine = qemu.Machine(cmdline, mem=args.mem, uefi=args.uefi, qmp=False, extra=extra,
                           name="run", monitor_sock=monitor_path, smp=args.smp,
                           vmem=args.vmem or None)
    print("[host] QEMU: %s" % " ".join(machine.args))
    print("[host] QMP socket: %s; scripting monitor: tools/monitor.py --sock %s" %
          (qmp_path, monitor_path))
    print("[host] serial console below (Ctrl-A x quits)")
    sys.stdout.flush()
    if args.debug:
        gdb = ["gdb", "-q"] + (["-batch"] if args.gdb_batch else []) + [
            qemu.KERNEL, "-ex", "set architecture i386:x86-64",
            "-ex", "target remote " + gdb_addr, "-ex", "hbreak kmain", "-ex", "continue"]
        if args.gdb_batch:
            gdb += ["-ex", "bt", "-ex", "kill"]
        print("[host] debug: QEMU waits for gdb on %s; starting: %s" % (gdb_addr, " ".join(gdb)))
        subprocess.call(gdb)
        machine.close()
        return 0
    is_tty = os.isatty(sys.stdin.fileno())
    saved = termios.tcgetattr(sys.stdin.fileno()) if is_tty else None
    try:
        if is_tty:
            tty.setraw(sys.stdin.fileno())
        con = Console(machine)
        if args.demo:
            color = sys.stdout.isatty() and os.environ.get("TERM", "dumb") != "dumb"
            run_demo(con, qmp_path, args.mem, color, args.smp)
        relay(con)
    finally:
        if saved:
            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, saved)
        machine.close()
    status = machine.proc.returncode
    print("\n[host] QEMU exited with status %s" % status)
    return 0 if status in (0, qemu.EXIT_SUCCESS) or status < 0 else 1


if __name__ == "__main__":
    sys.exit(main())
