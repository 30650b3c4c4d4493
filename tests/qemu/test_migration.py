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
