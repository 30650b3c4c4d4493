"""End-to-end test of the mslab monitor commands (mslabinfo, mslab
alloc/free/compact/verify) driven through the serial shell, including their
answers to bad input."""
import re


def _pool_line(out, name):
    match = re.search(r"pool %s: (\d+) objects, (\d+) pages" % name, out)
    assert match, out
    return int(match.group(1)), int(match.group(2))


def test_mslab_monitor_commands(ctx):
    with ctx.machine(name="mslab-monitor", qmp=False) as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        assert "no demo pool yet" in m.command("mslab compact")
        out = m.command("mslab alloc 2000")
        assert "mslab: allocated 2000 objects, 2000 held" in out, out
        out = m.command("mslabinfo check")
        objects, pages_full = _pool_line(out, "demo")
        assert objects == 2000, out
        assert "mslab_check demo: 0 violations" in out, out
        assert "bytes-used" in out and "bytes-held" in out, out

        out = m.command("mslab free")
        match = re.search(r"freed (\d+) objects, (\d+) held", out)
        assert match, out
        held = int(match.group(2))
        assert 300 < held < 700, out
        _, pages_sparse = _pool_line(m.command("mslabinfo"), "demo")
        out = m.command("mslab compact")
        match = re.search(r"compaction freed (\d+) pages", out)
        assert match and int(match.group(1)) > 0, out
        out = m.command("mslabinfo check")
        objects, pages_packed = _pool_line(out, "demo")
        assert objects == held, out
        assert pages_packed == pages_sparse - int(match.group(1)), out
        assert "mslab_check demo: 0 violations" in out, out
        assert "%d objects verified, 0 bad" % held in m.command("mslab verify")

        # Compaction of the whole machine moves mslab pages with the rest.
        m.command("compact")
        assert "%d objects verified, 0 bad" % held in m.command("mslab verify")
        assert "mslab_check demo: 0 violations" in m.command("mslabinfo check")

        assert "usage: mslab" in m.command("mslab")
        assert "usage: mslab" in m.command("mslab alloc x")
        assert "usage: mslab" in m.command("mslab alloc 0")
        assert "usage: mslab" in m.command("mslab free some")
        assert "usage: mslabinfo" in m.command("mslabinfo x")
        out = m.command("mslab free all")
        assert "0 held" in out, out
        assert "mm_check: 0 violations" in m.command("mmcheck")
