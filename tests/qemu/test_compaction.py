"""End-to-end tests of fragmentation scenarios, compaction, contig and the
proactive settings from the monitor and the command line (512 MiB guest)."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from guest import accounted_pages, compact_short_of_T, parse_compact, pgtable_pages  # noqa: E402

import ktap  # noqa: E402
import qemu  # noqa: E402

FIG = re.compile(r"2 MiB blocks free (\d+), T (\d+), min_moves (\d+)")


def test_frag_compact_contig_commands(ctx):
    with ctx.machine(name="compaction", qmp=False) as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        start = accounted_pages(m)
        out = m.command("frag standard", 120)
        fig = FIG.search(out)
        assert fig and int(fig.group(1)) <= 2 and int(fig.group(2)) > 100, out
        out = m.command("compact", 300)
        fig = parse_compact(out)
        assert compact_short_of_T(fig) is None, out
        assert fig["moves_per_block"] <= 1.05 * fig["min_moves_per_block"], out
        assert fig["failed"] == 0 and fig["by_owner"].get("mapped"), out
        assert "order available" in m.command("compact 9", 120)
        out = m.command("contig 1500", 120)
        assert re.search(r"contig: 1500 pages at pfn 0x[0-9a-f]+-0x[0-9a-f]+", out), out
        assert "usage: compact [ORDER]" in m.command("compact 11")
        assert "usage: contig N" in m.command("contig 0")
        assert "unknown scenario 'bogus'" in m.command("frag bogus")
        assert "is active; `frag clear` first" in m.command("frag sparse")
        assert "mm_check: 0 violations" in m.command("mmcheck")
        assert pgtable_pages(m)[1] > 200  # the scenario's mappings have tables
        m.command("frag clear", 120)
        # Nothing lost, to the page: the scenario's page tables went with it.
        assert accounted_pages(m) == start, (start, accounted_pages(m))
        out = m.command("contig 200000")
        assert "error: no 200000 contiguous pages" in out, out
        assert "need 0 <= LOW < HIGH <= 100" in m.command("proactive on 30 60")
        assert "proactive compaction on" in m.command("proactive on 70 30")
        assert "proactive compaction on: high 70% low 30%" in m.command("proactive")


def test_whole_machine_scenarios_within_T_at_1g(ctx):
    """The compaction_kernel suite on a 1 GiB guest: every scenario over the
    whole machine stays within T (and within one block of it), contents
    kept, every page back (the KTAP stages run it at 512 MiB)."""
    with ctx.machine("test=compaction_kernel", mem="1G", qmp=False,
                     name="compaction-1g") as m:
        status = m.wait_exit(600)
        res = ktap.parse(m.output)
    assert status == qemu.EXIT_SUCCESS and res.passed > 0 and not res.failed, m.output[-3000:]
    assert len(re.findall(r"# (sparse|standard|mixed): T \d+ ", m.output)) == 3, m.output[-3000:]


def test_mixed_scenario_moves_mapped_and_mslab(ctx):
    with ctx.machine(name="compaction-mixed", qmp=False) as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        assert "frag mixed:" in m.command("frag mixed", 120)
        out = m.command("compact", 300)
        fig = parse_compact(out)
        assert compact_short_of_T(fig) is None, out
        assert fig["by_owner"].get("mslab") and fig["by_owner"].get("mapped"), out
        # The packing phase is reported on its own, before T was taken.
        assert fig["pack_objects"] and fig["pack_bytes"] and fig["pack_pages"], out
        assert "mslab_check frag-mixed: 0 violations" in m.command("mslabinfo check", 60)
        m.command("frag clear", 120)
        out = m.command("mmcheck")
        assert "mm_check: 0 violations" in out and "vmap_check: 0 violations" in out, out


def test_mapped_free_and_compaction_lose_nothing(ctx):
    """`mapped N` + `mapped free`, `frag X` + `frag clear` and a compaction
    give back every page and every page table, exactly, the first time as
    every later one (nothing warms up)."""
    with ctx.machine(name="compaction-exact", qmp=False) as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        start = accounted_pages(m)
        for cmds in (["mapped 20000", "mapped free"], ["frag mixed", "compact", "frag clear"],
                     ["frag standard", "frag clear"], ["frag sparse", "compact", "frag clear"],
                     ["compact"], ["mapped 3000", "mapped free"]):
            for cmd in cmds:
                out = m.command(cmd, 300)
                assert "error" not in out, (cmd, out)
            assert accounted_pages(m) == start, (cmds, start, accounted_pages(m))
        out = m.command("mmcheck")
        assert "mm_check: 0 violations" in out and "vmap_check: 0 violations" in out, out


def test_frag_on_the_command_line(ctx):
    with ctx.machine("frag=sparse", name="frag-boot", qmp=False) as m:
        m.wait_ready(30)
        m.expect("> ", 120)
        assert "frag sparse:" in m.output and "sparse: 2 MiB blocks free" in m.output, m.output
