"""End-to-end tests of the mm monitor commands (meminfo, buddyinfo,
pagetypeinfo, alloc, free, mmcheck, slabinfo, vmstat's lock statistics)
driven through the serial shell, including their answers to bad input."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))


def _free_kb(m):
    out = m.command("meminfo")
    match = re.search(r"MemFree:\s+(\d+) kB", out)
    assert match, out
    return int(match.group(1))


LOCK_FIELDS = ("acquired", "contended", "wait_ns", "hold_ns", "max_hold_ns")


def _lock_stats(m):
    """vmstat's lock lines: {"zone": {field: value}, "pcp0": ..., ...}."""
    out = m.command("vmstat")
    stats = {}
    for match in re.finditer(r"^lock_(\w+)\s+(.*)$", out, re.M):
        words = match.group(2).split()
        assert words[0::2] == list(LOCK_FIELDS), out
        stats[match.group(1)] = dict(zip(words[0::2], (int(w) for w in words[1::2])))
    assert "zone" in stats and "pcp0" in stats, out
    for s in stats.values():
        assert s["contended"] <= s["acquired"] and s["max_hold_ns"] <= s["hold_ns"], out
    return stats


def _pcp_acquired(stats):
    return sum(s["acquired"] for name, s in stats.items() if name.startswith("pcp"))


def test_mm_monitor_lock_stats(ctx):
    """An order-9 allocation and free take the zone lock and add to its hold
    time; order 0 goes through a per-cpu cache's lock. Each of the 2 online
    CPUs has its cache's line."""
    with ctx.machine(name="mm-monitor-locks", qmp=False, smp=2) as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        before = _lock_stats(m)
        assert sorted(name for name in before if name.startswith("pcp")) == ["pcp0", "pcp1"]
        match = re.search(r"allocated pfn (0x[0-9a-f]+)", m.command("alloc 9 movable"))
        assert match
        m.command("free %s" % match.group(1))
        match = re.search(r"allocated pfn (0x[0-9a-f]+)", m.command("alloc 0"))
        assert match
        m.command("free %s" % match.group(1))
        after = _lock_stats(m)
        assert after["zone"]["acquired"] >= before["zone"]["acquired"] + 2, (before, after)
        assert after["zone"]["hold_ns"] > before["zone"]["hold_ns"], (before, after)
        assert after["zone"]["max_hold_ns"] >= before["zone"]["max_hold_ns"], (before, after)
        assert _pcp_acquired(after) >= _pcp_acquired(before) + 2, (before, after)


def test_mm_monitor_commands(ctx):
    with ctx.machine(name="mm-monitor", qmp=False) as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        out = m.command("meminfo")
        for key in ("MemManaged:", "MemReserved:", "MemFree:", "Watermarks:", "FragScore9:",
                    "StructPage:   32 B"):
            assert key in out, out
        out = m.command("buddyinfo")
        row = [l for l in out.splitlines() if l.startswith("zone")]
        assert row and len(row[0].split()) == 2 + 11, out
        out = m.command("pagetypeinfo")
        for key in ("Unmovable", "Movable", "Isolate", "pageblocks (2 MiB):",
                    "fragmentation index"):
            assert key in out, out

        m.command("free 0x1")  # prime: nothing held yet
        before = _free_kb(m)
        out = m.command("alloc 9 movable")
        match = re.search(r"allocated pfn (0x[0-9a-f]+) order 9 \(movable\)", out)
        assert match, out
        pfn = int(match.group(1), 16)
        assert pfn % 512 == 0, out
        assert _free_kb(m) == before - 2048
        assert "freed pfn %#x order 9" % pfn in m.command("free %#x" % pfn)
        assert _free_kb(m) == before

        assert "usage: alloc ORDER [movable]" in m.command("alloc")
        assert "usage: alloc" in m.command("alloc x")
        assert "usage: alloc" in m.command("alloc 3 sideways")
        assert "larger than MAX_ORDER 10" in m.command("alloc 11")
        assert "was not allocated with `alloc`" in m.command("free 0x100")
        assert "usage: free PFN" in m.command("free")
        assert "mm_check: 0 violations" in m.command("mmcheck")

        m.command("mslab alloc 100")
        out = m.command("slabinfo")
        assert "kmalloc-64" in out and "slab-desc" in out, out
        assert "mslab pools: 1" in out, out
        assert "slab_check: 0 violations" in m.command("slabinfo check")
