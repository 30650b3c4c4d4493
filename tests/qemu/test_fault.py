"""Fault injection from the shell and the command line (mm/fault_inject.h):
`fail=` arms a site after boot, `fail` shows the counters, a compaction
under injected migrate failures loses nothing, `fail SITE @N` fails exactly
the Nth call from now, `fail SITE off` disarms, bad arguments get usage."""
import re


def _site(out, name):
    """(rate, calls, injected) of @name from the `fail` table."""
    row = re.search(r"^%s\s+(\d+)\s+\d+\s+(\d+)\s+(\d+)\s*$" % name, out, re.M)
    assert row, out
    return tuple(int(g) for g in row.groups())


def test_fail_command_and_parameter(ctx):
    with ctx.machine("fail=migrate:300", qmp=False, name="fail") as m:
        m.wait_ready(60)
        m.expect("> ", 10)
        out = m.command("fail")
        assert _site(out, "migrate")[0] == 300 and "fail: armed" in out, out
        assert "frag standard:" in m.command("frag standard", 120)
        out = m.command("compact", 300)
        assert "failed" in out, out
        rate, calls, injected = _site(m.command("fail"), "migrate")
        assert calls > 0 and 0 < injected < calls, (calls, injected)
        out = m.command("fail migrate off")
        assert _site(out, "migrate")[0] == 0 and "fail: off" in out, out
        m.command("fail page @3")
        results = [m.command("alloc 0") for _ in range(4)]
        assert ["allocated pfn" in r for r in results] == [True, True, False, True], results
        assert _site(m.command("fail"), "page")[2] == 1
        for bad in ("fail bogus 1", "fail page", "fail page 1001", "fail page @0 x"):
            assert "usage: fail" in m.command(bad), bad
        assert ", 0 bad;" in m.command("frag verify", 120)
        m.command("frag clear", 120)
        assert "mm_check: 0 violations" in m.command("mmcheck", 120)
