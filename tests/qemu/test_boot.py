"""End-to-end tests of booting, the monitor shell, the command line, deliberate
crashes and power-off, on the real ISO in QEMU (run by tools/testrun.py)."""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import qemu  # noqa: E402


def test_boot_to_prompt_bios(ctx):
    """Boots to the ready line and the prompt; boot-to-ready is well under 1 s."""
    with ctx.machine(name="boot") as m:
        took = m.wait_ready(30)
        m.expect("> ", 10)
        assert "memdesc kernel" in m.output
        assert "boot: loader 'GRUB" in m.output
        print("    boot-to-ready (host-measured, BIOS): %.0f ms" % (took * 1000))
        assert took < 5.0, "boot took %.2f s" % took


def test_input_typed_during_boot_is_kept(ctx):
    """Three commands written to the serial line as QEMU starts (while the
    firmware and GRUB run) are all answered as typed: no byte is lost when the
    UART's FIFO is switched on (BIOS only: under UEFI the firmware and GRUB
    read COM1 themselves)."""
    with ctx.machine(name="early-input") as m:
        m.send("version\nuptime\nversion\n")
        m.wait_ready(30)
        m.expect("> version\n", 30)
        m.expect("memdesc kernel 0.1", 10)
        m.expect("> uptime\n", 10)
        m.expect_re(re.compile(r"^up \d+\.\d+ s, ", re.M), 10)
        m.expect("> version\n", 10)
        m.expect("memdesc kernel 0.1", 10)
        assert "unknown command" not in m.output, m.output[-2000:]


def test_monitor_basic_commands(ctx):
    """help lists every command; version, uptime, threads answer; bad input is
    reported with a usage line or a pointer to help; poweroff exits QEMU."""
    with ctx.machine(name="monitor") as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        out = m.command("help")
        for cmd in ("help", "version", "uptime", "threads", "poweroff", "test"):
            assert "  %s " % cmd in out, "help lacks %s:\n%s" % (cmd, out)
        assert "memdesc kernel" in m.command("version")
        first = m.command("uptime")
        assert "ticks" in first, first
        t1 = int(first.split(",")[1].split()[0])
        time.sleep(0.3)
        t2 = int(m.command("uptime").split(",")[1].split()[0])
        assert t2 > t1, "timer ticks did not advance: %d -> %d" % (t1, t2)
        threads = m.command("threads")
        assert "main" in threads and "kworker" in threads, threads
        out = m.command("frobnicate now")
        assert "unknown command 'frobnicate'; type 'help'" in out, out
        out = m.command("version extra")
        assert "usage: version" in out, out
        out = m.command('help "unterminated')
        assert "unterminated quote" in out, out
        m.command("")  # an empty line is fine
        m.send("poweroff\r")
        assert m.wait_exit(30) == qemu.EXIT_SUCCESS


def test_monitor_line_editing(ctx):
    """Backspace and Ctrl-U edit the line before it runs."""
    with ctx.machine(name="editing") as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        m.send("garbage\x15versiom\x7fn\r")
        out = m.expect("\n> ", 10)
        assert "memdesc kernel" in out, out


def test_monitor_runs_a_test_suite(ctx):
    """The `test` command runs KTAP suites from the shell; a bad name is an error."""
    with ctx.machine(name="montest") as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        out = m.command("test string", 60)
        assert "# Subtest: string" in out and "ok 1 string" in out, out
        out = m.command("test nosuchsuite")
        assert "no suite named 'nosuchsuite'" in out, out


def test_cmdline_problems_are_reported(ctx):
    """Unknown keys list the valid ones; bad values name the expected form;
    the rest of the line still applies."""
    with ctx.machine("bogus=1 loglevel=x loglevel=6", name="cmdline") as m:
        m.wait_ready(30)
        assert "cmdline: unknown key 'bogus'; valid keys:" in m.output, m.output
        line = [l for l in m.output.splitlines() if "unknown key 'bogus'" in l][0]
        for key in ("test", "loglevel", "crash"):
            assert key in line, line
        assert "bad value in 'loglevel=x' (expected loglevel=0-7" in m.output, m.output


def test_unknown_test_suite_fails_the_run(ctx):
    """test=NAME with no such suite exits with failure, not with 0 tests passed."""
    with ctx.machine("test=nosuchsuite", qmp=False, name="badsuite") as m:
        assert m.wait_exit(60) == qemu.EXIT_FAILURE
        assert "no suite named 'nosuchsuite'" in m.output


def _crash(ctx, kind, expect):
    with ctx.machine("crash=%s" % kind, qmp=False, name="crash-" + kind) as m:
        status = m.wait_exit(60)
        out = m.output
        assert status == qemu.EXIT_PANIC, "exit status %s\n%s" % (status, out[-1500:])
        for text in expect + ["backtrace:", "crash_%s+0x" % kind, "kmain+0x"]:
            assert text in out, "missing %r in:\n%s" % (text, out[-2500:])
        return out


def test_crash_page_fault_report(ctx):
    """A write to an unmapped address: #PF with CR2, registers, symbolized backtrace."""
    out = _crash(ctx, "pagefault", ["exception 14 (#PF page fault)",
                                   "page fault: write to unmapped address ffffc9ffdead0000",
                                   "RIP ", "RAX ", "R15 ", "CR2 ffffc9ffdead0000",
                                   "Kernel panic: unhandled exception 14"])
    assert "crash_if_requested+0x" in out


def test_crash_null_dereference(ctx):
    """NULL is unmapped once boot drops the identity map."""
    _crash(ctx, "null", ["exception 14 (#PF page fault)", "read from unmapped address 0000000000000000"])


def test_crash_invalid_opcode(ctx):
    _crash(ctx, "ud", ["exception 6 (#UD invalid opcode)"])


def test_crash_divide_error(ctx):
    _crash(ctx, "divide", ["exception 0 (#DE divide error)"])


def test_crash_general_protection(ctx):
    _crash(ctx, "gp", ["exception 13 (#GP general protection)"])


def test_crash_stack_protector(ctx):
    """A local array overrun is caught by the canary check on return; the
    canary came from RDRAND (-cpu max has it)."""
    out = _crash(ctx, "canary", ["stack protector: canary overwritten in the frame of "
                                 "crash_canary+0x"])
    assert "stack protector: canary from RDRAND" in out, out[-2000:]


def test_crash_write_after_free_poison(ctx):
    """With mm.poison=1 a write to a freed page is caught when the page is
    allocated again: PFN, offset and the byte found."""
    with ctx.machine("crash=poison mm.poison=1", qmp=False, name="crash-poison") as m:
        status = m.wait_exit(60)
        out = m.output
    assert status == qemu.EXIT_PANIC, "exit status %s\n%s" % (status, out[-1500:])
    for text in ["mm: poison on free: free pages hold 0xaa", "written after free: byte 0x2a "
                 "is 0x42, not the poison 0xaa", "crash_poison+0x", "kmain+0x"]:
        assert text in out, "missing %r in:\n%s" % (text, out[-2500:])


def test_crash_panic_and_assert(ctx):
    """panic() and a failed assert() print the message, file:line and a backtrace."""
    _crash(ctx, "panic", ["panic: crash_panic: deliberate panic"])
    _crash(ctx, "assert", ["assertion failed at kernel/crash.c:", "one == 2"])


def test_poweroff_without_debug_exit_uses_acpi(ctx):
    """Without isa-debug-exit, poweroff falls back to ACPI S5 and QEMU exits 0."""
    with ctx.machine(name="acpi-off", debug_exit=False, qmp=False) as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        m.send("poweroff\r")
        assert m.wait_exit(30) == 0


def test_qmp_and_balloon_device_attached(ctx):
    """The standard machine has a QMP socket and virtio-balloon at a stable QOM path."""
    with ctx.machine(name="qmp", mem="512M") as m:
        m.wait_ready(30)
        q = m.qmp()
        assert q.execute("query-status")["status"] == "running"
        props = [p["name"] for p in q.execute("qom-list", path="/machine/peripheral/balloon0")]
        assert "guest-stats-polling-interval" in props, props
        info = q.execute("query-balloon")
        assert info["actual"] == 512 * 1024 * 1024, info


def test_make_run_boots_to_prompt(ctx):
    """`make run`'s launcher boots with QMP at build/qmp.sock and the balloon,
    reports boot-to-ready, takes commands on stdin and exits on poweroff."""
    proc = subprocess.Popen([sys.executable, os.path.join(qemu.ROOT, "tools", "run.py")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        sock = os.path.join(qemu.BUILD, "qmp.sock")
        while not os.path.exists(sock) and time.monotonic() < deadline:
            time.sleep(0.1)
        q = qemu.QMP(sock, timeout=30)
        assert q.execute("query-balloon")["actual"] > 0
        q.close()
        time.sleep(1.0)
        out, _ = proc.communicate(b"version\rpoweroff\r", timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    text = out.decode(errors="replace")
    for s in ("virtio-balloon-pci,id=balloon0", "[host] boot-to-ready:", "> ",
              "memdesc kernel 0.1", "powering off", "QEMU exited with status 33"):
        assert s in text, "missing %r in:\n%s" % (s, text[-2000:])


def test_make_debug_breaks_at_kmain(ctx):
    """`make debug`'s launcher: gdb attaches to QEMU's gdb server, stops at kmain and
    prints a symbolized backtrace."""
    proc = subprocess.run([sys.executable, os.path.join(qemu.ROOT, "tools", "run.py"),
                           "--debug", "--gdb-batch"], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    text = proc.stdout.decode(errors="replace")
    assert "Hardware assisted breakpoint 1 at" in text, text[-2000:]
    assert "#0  kmain (mbi_phys=" in text and "kernel/main.c:" in text, text[-2000:]
    assert "in long_mode_high ()" in text, text[-2000:]
