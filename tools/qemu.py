"""Booting the kernel in QEMU from Python (standard library only).

Used by `make run` (tools/run.py), `make test` (tools/testrun.py) and the
end-to-end tests in tests/qemu/. One Machine is one QEMU process: it builds
(or reuses) an ISO for the requested kernel command line, starts QEMU with the
project's standard devices, and gives line-oriented access to the serial
console plus a QMP client.

Exit status of QEMU under isa-debug-exit: (value << 1) | 1, see
drivers/qemu_exit.h: 33 success, 35 failure, 37 panic.
"""
import codecs
import hashlib
import json
import os
import re
import select
import shutil
import socket
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("O", os.path.join(ROOT, "build"))
# `make bench` boots the kernel built without lock checks (KERNEL=...).
KERNEL = os.environ.get("KERNEL") or os.path.join(BUILD, "kernel.elf")

EXIT_SUCCESS = 33
EXIT_FAILURE = 35
EXIT_PANIC = 37

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"

READY_LINE = "ready in "
PROMPT_RE = re.compile(r"^> ", re.M)


class QemuCrashed(EOFError):
    """QEMU itself died of a signal (a QEMU bug, such as the rare SIGSEGV
    of QEMU 7.2's multi-threaded TCG under host load), not the guest."""


def _exited(name, returncode, what, output):
    cls = QemuCrashed if returncode is not None and returncode < 0 else EOFError
    return cls("%s: QEMU exited (%s) before %s; last output:\n%s" %
               (name, returncode, what, output[-2000:]))


def build_iso(cmdline, kernel=KERNEL):
    """Return the path of an ISO booting `kernel` with `cmdline`, building
    it unless one for the same kernel and command line exists."""
    st = os.stat(kernel)
    key = "%s|%d|%d|%s" % (kernel, st.st_mtime_ns, st.st_size, cmdline)
    digest = hashlib.sha1(key.encode()).hexdigest()[:16]
    isodir = os.path.join(BUILD, "isos")
    os.makedirs(isodir, exist_ok=True)
    path = os.path.join(isodir, digest + ".iso")
    if not os.path.exists(path):
        subprocess.run([os.path.join(ROOT, "tools", "mkiso.sh"), kernel, path] +
                       cmdline.split(), check=True)
    return path


def mem_bytes(mem):
    """QEMU's -m value ("512M", "1G", "512") in bytes."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    mem = mem.strip().upper().rstrip("B")
    if mem and mem[-1] in units:
        return int(float(mem[:-1]) * units[mem[-1]])
    return int(mem) << 20


class QMP:
    """A minimal QMP client over a unix socket."""

    def __init__(self, path, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.sock.settimeout(timeout)
        self.buf = b""
        self.events = []
        greeting = self._read()
        if "QMP" not in greeting:
            raise RuntimeError("qmp: unexpected greeting %r" % greeting)
        self.execute("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("qmp: connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def execute(self, command, **arguments):
        """Run a command; return its "return" value or raise on "error"."""
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._read()
            if "event" in reply:
                self.events.append(reply)
                continue
            if "error" in reply:
                raise RuntimeError("qmp %s: %s" % (command, reply["error"]))
            return reply.get("return")

    def close(self):
        self.sock.close()


class Machine:
    """One QEMU process booting the kernel.

    cmdline: kernel command line; mem: guest RAM ("512M"); uefi: boot via
    OVMF; qmp: create a QMP socket; balloon: attach virtio-balloon-pci
    (id=balloon0); balloon_opts: more properties of that device, e.g.
    "disable-legacy=on" (never a second balloon); extra: more QEMU arguments;
    monitor_sock: path of the unix socket QEMU serves the second serial port
    (COM2, the kernel's scripting monitor, see tools/monitor.py) on; default
    <workdir>/monitor.sock, "" for no second port; smp: CPUs (-smp, multi-
    threaded TCG: one host thread per vCPU); vmem: size of a virtio-mem
    device's memory ("2G"; None: no device): -m gets maxmem = mem + vmem,
    a RAM backend vmem0 of that size backs virtio-mem-pci id=vmem0 (QOM
    path /machine/peripheral/vmem0) with requested-size=0; vmem_opts: more
    properties of that device, e.g. "unplugged-inaccessible=on".
    """

    def __init__(self, cmdline="", mem="512M", uefi=False, qmp=True, balloon=True,
                 balloon_opts="", extra=(), name="vm", kernel=KERNEL, debug_exit=True,
                 monitor_sock=None, smp=1, vmem=None, vmem_opts=""):
        self.name = name
        self.workdir = os.path.join(BUILD, "vm", name)
        os.makedirs(self.workdir, exist_ok=True)
        self.iso = build_iso(cmdline, kernel)
        self.qmp_path = os.path.join(self.workdir, "qmp.sock") if qmp else None
        self.log_path = os.path.join(self.workdir, "serial.log")
        if monitor_sock is None:
            monitor_sock = os.path.join(self.workdir, "monitor.sock")
        self.monitor_path = monitor_sock or None
        memory = mem
        if vmem:
            memory = "%s,maxmem=%dM" % (mem, (mem_bytes(mem) + mem_bytes(vmem)) >> 20)
        args = ["qemu-system-x86_64", "-machine", "q35", "-accel", "tcg", "-cpu", "max",
                "-m", memory, "-smp", str(smp), "-display", "none", "-no-reboot", "-nic", "none",
                "-serial", "stdio", "-cdrom", self.iso, "-boot", "d"]
        if self.monitor_path:
            if os.path.exists(self.monitor_path):
                os.unlink(self.monitor_path)
            args += ["-serial", "unix:%s,server,nowait" % self.monitor_path]
        if debug_exit:
            args += ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        if balloon:
            args += ["-device", "virtio-balloon-pci,id=balloon0" +
                     ("," + balloon_opts if balloon_opts else "")]
        if vmem:
            args += ["-object", "memory-backend-ram,id=vmem0,size=%dM" % (mem_bytes(vmem) >> 20),
                     "-device", "virtio-mem-pci,id=vmem0,memdev=vmem0,requested-size=0" +
                     ("," + vmem_opts if vmem_opts else "")]
        if qmp:
            if os.path.exists(self.qmp_path):
                os.unlink(self.qmp_path)
            args += ["-qmp", "unix:%s,server,nowait" % self.qmp_path]
        if uefi:
            vars_copy = os.path.join(self.workdir, "OVMF_VARS.fd")
            shutil.copyfile(OVMF_VARS, vars_copy)
            args += ["-drive", "if=pflash,format=raw,readonly=on,file=" + OVMF_CODE,
                     "-drive", "if=pflash,format=raw,file=" + vars_copy]
        args += list(extra)
        self.args = args
        self.start_time = time.monotonic()
        self.stderr = open(os.path.join(self.workdir, "qemu.stderr"), "w")
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr)
        self.output = ""        # everything read from the serial port so far
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""      # a "\r" that may start a "\r\n" in the next read
        self.pos = 0            # how far expect() has consumed
        self.log = open(self.log_path, "w")
        self._qmp = None

    # --- serial console -------------------------------------------------
    def _pump(self, timeout):
        """Read what QEMU printed within `timeout` s; False at EOF."""
        r, _, _ = select.select([self.proc.stdout], [], [], max(timeout, 0))
        if not r:
            return True
        chunk = os.read(self.proc.stdout.fileno(), 65536)
        # A "\r\n" (or a UTF-8 sequence) split across two reads must still
        # come out whole: decode incrementally and hold back a trailing "\r".
        text = self._pending + self._decoder.decode(chunk, final=not chunk)
        self._pending = ""
        if chunk and text.endswith("\r"):
            text, self._pending = text[:-1], "\r"
        text = text.replace("\r\n", "\n")
        self.output += text
        self.log.write(text)
        self.log.flush()
        return bool(chunk)

    def expect(self, pattern, timeout=30.0):
        """Wait until `pattern` appears after the last match; return the text
        up to and including it. Raises TimeoutError/EOFError with the tail."""
        deadline = time.monotonic() + timeout
        while True:
            idx = self.output.find(pattern, self.pos)
            if idx >= 0:
                end = idx + len(pattern)
                text = self.output[self.pos:end]
                self.pos = end
                return text
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("%s: no %r within %.0f s; last output:\n%s" %
                                   (self.name, pattern, timeout, self.output[-2000:]))
            if not self._pump(min(left, 0.5)) and self.proc.poll() is not None:
                if self.output.find(pattern, self.pos) < 0:
                    raise _exited(self.name, self.proc.returncode, repr(pattern), self.output)

    def expect_re(self, pattern, timeout=30.0):
        """Like expect() for a compiled regular expression (searched from the
        current position, so ^ with re.M matches at a line start)."""
        deadline = time.monotonic() + timeout
        while True:
            m = pattern.search(self.output, self.pos)
            if m:
                text = self.output[self.pos:m.end()]
                self.pos = m.end()
                return text
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("%s: no /%s/ within %.0f s; last output:\n%s" %
                                   (self.name, pattern.pattern, timeout, self.output[-2000:]))
            if not self._pump(min(left, 0.5)) and self.proc.poll() is not None:
                raise _exited(self.name, self.proc.returncode, "/%s/" % pattern.pattern,
                              self.output)

    def send(self, text):
        """Type `text` on the serial console."""
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def command(self, line, timeout=30.0):
        """Run a monitor command; return its output (without the prompt)."""
        self.send(line + "\r")
        self.expect(line + "\n", timeout)
        out = self.expect_re(PROMPT_RE, timeout)
        return out[:-len("> ")]

    def wait_ready(self, timeout=60.0):
        """Wait for the kernel's ready line; return the host-measured seconds
        from QEMU start to it."""
        self.expect(READY_LINE, timeout)
        return time.monotonic() - self.start_time

    def wait_exit(self, timeout=120.0):
        """Collect output until QEMU exits; return its exit status."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None or self._pump(0):
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise TimeoutError("%s: still running after %.0f s; last output:\n%s" %
                                   (self.name, timeout, self.output[-2000:]))
            if not self._pump(min(left, 0.5)):
                self.proc.wait()
                break
        if self.proc.returncode < 0:
            raise _exited(self.name, self.proc.returncode, "the guest exited", self.output)
        return self.proc.returncode

    # --- QMP ------------------------------------------------------------
    def qmp(self):
        if self._qmp is None:
            self._qmp = QMP(self.qmp_path)
        return self._qmp

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def close(self):
        if self._qmp:
            self._qmp.close()
        self.kill()
        for f in (self.proc.stdin, self.proc.stdout, self.stderr):
            f.close()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
