"""End-to-end tests of page migration from the monitor (mapped, migrate,
vmstat) and of the mapped-page fault path's refusal to sleep in interrupt
context."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import qemu  # noqa: E402


def test_migrate_commands(ctx):
    with ctx.machine(name="migrate-cmds", qmp=False) as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        out = m.command("mapped 4")
        pfns = re.findall(r"0x[0-9a-f]+", out.split("pfns:")[1])
        assert len(pfns) == 4, out
        out = m.command("migrate %s %s" % (pfns[0], pfns[1]))
        assert "migrated 2, failed 0" in out and "8192 bytes copied" in out, out
        out = m.command("mapped free")
        out = m.command("mapped 2")
        new = re.findall(r"0x[0-9a-f]+", out.split("pfns:")[1])
        out = m.command("migrate 0x0 %s" % new[0])  # pfn 0 is reserved
        assert "migrated 1, failed 0, skipped 1" in out, out
        out = m.command("vmstat")
        assert re.search(r"migrate_success\s+3", out), out
        assert re.search(r"migrated_mapped\s+3", out), out
        assert "usage: migrate PFN..." in m.command("migrate")
        assert "usage: migrate" in m.command("migrate zz")
        assert "a demo region exists" in m.command("mapped 3")
        assert "usage: mapped" in m.command("mapped 0")
        assert "mm_check: 0 violations" in m.command("mmcheck")


def test_mapped_fault_in_interrupt_panics(ctx):
    """A timer interrupt touching a page mid-move gets a clear panic, not a
    sleep in interrupt context."""
    with ctx.machine("crash=mappedirq", qmp=False, name="mappedirq") as m:
        assert m.wait_exit(60) == qemu.EXIT_PANIC
        assert "mapped_fault: access to migrating page" in m.output
        assert "from interrupt context" in m.output
        assert "backtrace:" in m.output


def test_writer_during_compaction_loses_nothing(ctx):
    """`writer on` starts a thread on the other CPU writing into every page of
    the scenario; compaction moves those pages under it; `writer off` checks
    every word kept its last value. Wrong uses are refused."""
    with ctx.machine(name="writer", qmp=False) as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        assert "writer: off" in m.command("writer")
        assert "error: writer: no scenario" in m.command("writer on")
        assert "error: writer: not on" in m.command("writer off")
        assert "frag sparse:" in m.command("frag sparse", 120)
        assert "the monitor's (it would never run)" in m.command("writer on 0")
        assert "not online" in m.command("writer on 9")
        assert "usage: writer" in m.command("writer on x")
        assert "usage: writer" in m.command("writer sideways")
        out = m.command("writer on")
        assert re.search(r"writer: on cpu 1, writing \d+ mapped pages of 'sparse'", out), out
        assert "already on" in m.command("writer on")
        out = m.command("compact", 300)
        assert "recovered_pct 100.00" in out and "failed 0" in out, out
        waits = int(re.search(r"faults-and-waits (\d+)", out).group(1))
        out = m.command("writer off", 60)
        found = re.search(r"writer: cpu 1, (\d+) passes, (\d+) writes in \d+ ms, "
                          r"(\d+) faults-and-waits, (\d+) lost", out)
        assert found, out
        assert int(found.group(1)) >= 1 and int(found.group(2)) > 0, out
        assert int(found.group(3)) >= waits and found.group(4) == "0", out
        assert "0 bad; mslab 0 objects, 0 bad" in m.command("frag verify", 60)
        assert "mm_check: 0 violations" in m.command("mmcheck", 60)
        out = m.command("writer on")  # `frag clear` stops a running writer
        assert "writer: on cpu 1" in out, out
        out = m.command("frag clear", 120)
        assert ", 0 lost" in out and "cleared:" in out, out
        assert "writer: off" in m.command("writer")
