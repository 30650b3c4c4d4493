"""End-to-end tests of CPU bring-up (arch/x86_64/smp.c): every CPU QEMU
gives (-smp N, multi-threaded TCG) comes up and is counted on the boot line;
hot-pluggable CPUs (maxcpus above the CPUs present, which QEMU 7.2 lists in
the MADT as disabled) are listed and never started; the machine then works
as on one CPU (the APs park until the scheduler runs threads on them). A
panic stops every other CPU, each reporting where it was, one after another;
an exception on an AP names the AP; two CPUs panicking at once give one
report (kernel/panic.c, crash=panic|apfault|panic2)."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import qemu  # noqa: E402

SMP_RE = re.compile(r"smp: (\d+) CPUs online \(boot CPU APIC id (\d+)\); (\d+) online-capable "
                    r"and (\d+) disabled listed, not started")


def boot_line(ctx, smp, name):
    with ctx.machine(name=name, qmp=False, smp=smp) as m:
        m.wait_ready(60)
        m.expect("> ", 10)
        found = SMP_RE.search(m.output)
        assert found, m.output[-3000:]
        assert "did not answer" not in m.output, m.output[-3000:]
        assert "mm_check: 0 violations" in m.command("mmcheck", 60)
        return tuple(int(x) for x in found.groups())


def test_smp_every_cpu_comes_up(ctx):
    for smp in (1, 2, 4):
        online, boot_id, hotplug, disabled = boot_line(ctx, smp, "smp%d" % smp)
        assert (online, boot_id, hotplug, disabled) == (smp, 0, 0, 0), (smp, online, disabled)


def test_smp_hotpluggable_cpus_are_listed_not_started(ctx):
    online, _, hotplug, disabled = boot_line(ctx, "2,maxcpus=4", "smp-maxcpus")
    assert online == 2, online
    assert hotplug + disabled == 2, (hotplug, disabled)


# printk's prefix: a line of a report that lacks it was cut into by another CPU.
PREFIX_RE = re.compile(r"^\[\s*\d+\.\d{6}\] ")


def crash_output(ctx, kind, smp):
    with ctx.machine("crash=%s" % kind, qmp=False, name="smp%d-crash-%s" % (smp, kind),
                     smp=smp) as m:
        status = m.wait_exit(90)
        out = m.output
    assert status == qemu.EXIT_PANIC, "exit status %s\n%s" % (status, out[-3000:])
    return out


def report_lines(out, first):
    """The lines from the one containing @first to the "Kernel panic:" line;
    each must carry printk's prefix (no CPU wrote into another's line)."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if first in line)
    end = next(i for i, line in enumerate(lines) if "Kernel panic: " in line)
    bad = [line for line in lines[start:end + 1] if not PREFIX_RE.match(line)]
    assert not bad, "lines cut into:\n%s\n---\n%s" % ("\n".join(bad), out[-4000:])
    return lines[start:end + 1]


def test_smp_panic_stops_the_other_cpus(ctx):
    """A panic on CPU 0 NMIs the others: each prints 'cpu N stopped' with its
    registers and backtrace, in turn, before the final line."""
    for smp in (2, 4):
        out = crash_output(ctx, "panic", smp)
        lines = report_lines(out, "panic: crash_panic: deliberate panic")
        text = "\n".join(lines)
        for cpu in range(1, smp):
            head = "cpu %d stopped (APIC id %d), cpu 0 panics" % (cpu, cpu)
            assert head in text, "missing %r in:\n%s" % (head, text)
        heads = [i for i, line in enumerate(lines) if " stopped (APIC id " in line]
        assert len(heads) == smp - 1, text
        for i, at in enumerate(heads):  # registers and a backtrace under each
            block = "\n".join(lines[at:heads[i + 1] if i + 1 < len(heads) else len(lines)])
            for part in ("RIP ", "R15 ", "backtrace:"):
                assert part in block, "missing %r in:\n%s" % (part, block)
        assert "did not stop" not in text and "no report within" not in text, text
        assert "Kernel panic: crash_panic: deliberate panic" in lines[-1], lines[-1]


def test_smp_exception_on_an_ap_names_it(ctx):
    """A cross-call that faults on CPU 1: the report says which CPU, and CPU 0
    (waiting in smp_call) is stopped and shows where it waited."""
    out = crash_output(ctx, "apfault", 2)
    text = "\n".join(report_lines(out, "exception 14 (#PF page fault)"))
    for part in ("on cpu 1 (APIC id 1), in interrupt context",
                 "page fault: write to unmapped address ffffc9ffdead0000",
                 "ap_pagefault+0x", "run_queue+0x",
                 "cpu 0 stopped (APIC id 0), cpu 1 panics", "crash_apfault+0x", "kmain+0x",
                 "Kernel panic: unhandled exception 14"):
        assert part in text, "missing %r in:\n%s" % (part, text)


def test_smp_two_cpus_panicking_at_once_give_one_report(ctx):
    """CPU 0 and CPU 1 panic together: the first wins, the other halts and is
    reported stopped; one "Kernel panic:" line, nothing interleaved."""
    out = crash_output(ctx, "panic2", 2)
    assert out.count("Kernel panic: ") == 1, out[-4000:]
    assert out.count("panic: crash_panic2: ") == 2, out[-4000:]  # its panic: line + Kernel panic:
    text = "\n".join(report_lines(out, "panic: crash_panic2: "))
    winner = int(re.search(r"panic: crash_panic2: cpu (\d) panics", text).group(1))
    loser = 1 - winner
    assert "cpu %d stopped (APIC id %d), cpu %d panics" % (loser, loser, winner) in text, text
    assert "recursive" not in out, out[-4000:]


def cpu_rows(out):
    """The rows of `cpus` by CPU index (the lines of ten or more fields
    that start with a number)."""
    rows = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 10 and f[0].isdigit():
            rows[int(f[0])] = f
    return rows


def test_smp_cpus_and_threads_show_every_cpu(ctx):
    """`cpus` lists each CPU with its APIC id, ticks that advance and the
    thread it runs; `threads` puts every thread on a CPU, an idle thread on
    each; a thread placed on CPU 1 by the test suites ran there."""
    with ctx.machine(name="smp-cpus", qmp=False, smp=2) as m:
        m.wait_ready(60)
        first = m.command("cpus")
        m.command("test sched_smp", timeout=120)
        out = m.command("cpus")
        threads = m.command("threads")
    assert "2 CPUs online" in out, out
    rows, before = cpu_rows(out), cpu_rows(first)
    assert sorted(rows) == [0, 1] and sorted(before) == [0, 1], (first, out)
    assert rows[0][1] != rows[1][1], out  # distinct APIC ids
    for cpu in (0, 1):
        assert int(rows[cpu][2]) > int(before[cpu][2]), (first, out)  # ticks advance on both
    assert int(rows[1][5]) > 0, out  # CPU 1 was sent reschedule IPIs (ping-pong)
    assert rows[0][-1] == "main", out  # the monitor runs in main, on CPU 0
    cpu_of = {}
    for line in threads.splitlines():
        f = line.split()
        if len(f) >= 4 and f[0].isdigit():
            cpu_of[f[2]] = int(f[1])
    assert cpu_of.get("main") == 0 and cpu_of.get("idle/0") == 0, threads
    assert cpu_of.get("idle/1") == 1, threads
