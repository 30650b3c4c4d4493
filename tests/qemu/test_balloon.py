"""End-to-end tests of the virtio-balloon driver, driven from QMP: `balloon`
sets the target guest RAM in bytes, `query-balloon` reports the guest RAM
left (RAM minus what the driver has put in the balloon). The guest's own
view comes from the monitor (`balloon`, `meminfo`, `mmcheck`)."""
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import qemu  # noqa: E402
from guest import balloon_info, free_pages, slab_pages, wait_query_balloon  # noqa: E402

MIB = 1 << 20
RAM = 512 * MIB
XA_NODE_BYTES = 1024  # a 528-byte struct xa_node comes from kmalloc-1024


def _wait_settled(m, timeout=120):
    """Poll the monitor until actual == target and stays so."""
    deadline = time.monotonic() + timeout
    while True:
        b = balloon_info(m)
        if b["actual"] == b["target"] and b["inflated"] == b["actual"]:
            time.sleep(0.3)
            b2 = balloon_info(m)
            if b2["actual"] == b["actual"]:
                return b2
        assert time.monotonic() < deadline, b
        time.sleep(0.2)


def test_balloon_inflate_deflate_and_clamps(ctx):
    """512 MiB guest: inflate to 256 MiB and back, the guest's free pages
    moving by the ballooned count (plus the xarray's node memory); a target
    beyond RAM and a target of (almost) 0 are clamped; mm_check clean."""
    with ctx.machine(name="balloon", mem="512M") as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        assert re.search(r"balloon: \w\w:\w\w\.\d 1af4:(1002|1045), features 0x100000002, INTx",
                         m.output), m.output[-2000:]
        q = m.qmp()
        b = _wait_settled(m)
        assert b["actual"] == 0 and b["num_pages"] == 0, b
        free0 = free_pages(m)

        # Inflate to 256 MiB of guest RAM.
        q.execute("balloon", value=256 * MIB)
        wait_query_balloon(q, 256 * MIB)
        b = _wait_settled(m)
        moved = (RAM - 256 * MIB) // 4096
        assert b["actual"] == moved == b["inflated"] and b["clamps"] == 0, b
        free1 = free_pages(m)
        overhead = b["nodes"] * XA_NODE_BYTES // 4096 + 8
        print("    inflated %d pages: free %d -> %d (xarray %d nodes)" %
              (moved, free0, free1, b["nodes"]))
        assert moved <= free0 - free1 <= moved + overhead, (free0, free1, moved, overhead)

        # And back.
        q.execute("balloon", value=RAM)
        wait_query_balloon(q, RAM)
        b = _wait_settled(m)
        assert b["actual"] == 0 and b["inflated"] == 0 and b["nodes"] == 0, b
        free2 = free_pages(m)
        print("    deflated: free %d -> %d (boot %d)" % (free1, free2, free0))
        assert free0 - 8 <= free2 <= free0 + 8, (free0, free2)

        # Beyond RAM: QEMU itself caps the target at RAM, num_pages 0.
        q.execute("balloon", value=4 * RAM)
        time.sleep(0.5)
        b = _wait_settled(m)
        assert b["num_pages"] == 0 and b["actual"] == 0, b
        assert q.execute("query-balloon")["actual"] == RAM

        # 0: QEMU refuses it (target must be positive); 1 byte asks for every page.
        try:
            q.execute("balloon", value=0)
            zero = "accepted"
        except RuntimeError:
            zero = "refused"
        q.execute("balloon", value=1)
        deadline = time.monotonic() + 60
        while balloon_info(m)["num_pages"] != RAM // 4096 - 1:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        b = _wait_settled(m)
        left = free_pages(m)
        print("    target 0 (%s by QEMU), target 1 B: %d pages clamped to %d, %d pages free" %
              (zero, b["num_pages"], b["target"], left))
        assert b["target"] < b["num_pages"] and b["clamps"] >= 1, b
        assert left >= 32 * MIB // 4096, left
        assert "clamped to" in m.output
        assert q.execute("query-balloon")["actual"] == RAM - b["actual"] * 4096
        assert "mm_check: 0 violations" in m.command("mmcheck", 60)

        # Full again: free pages as at boot, nothing broken.
        q.execute("balloon", value=RAM)
        wait_query_balloon(q, RAM)
        b = _wait_settled(m)
        assert b["actual"] == 0 and b["inflated"] == 0 and b["errors"] == 0, b
        free3 = free_pages(m)
        assert free0 - 8 <= free3 <= free0 + 8, (free0, free3)
        assert "mm_check: 0 violations" in m.command("mmcheck", 60)


def _meminfo_kb(m):
    out = m.command("meminfo")
    got = {}
    for key in ("MemManaged", "MemFree"):
        mt = re.search(r"^%s:\s+(\d+) kB" % key, out, re.M)
        assert mt, out
        got[key] = int(mt.group(1)) * 1024
    return got


def _stats_requests(m):
    mt = re.search(r"^stats:\s+(\d+) requests answered", m.command("balloon"), re.M)
    assert mt, m.command("balloon")
    return int(mt.group(1))


def test_balloon_stats(ctx):
    """STATS_VQ: with guest-stats-polling-interval=1 the host polls every
    second; guest-stats' free and total memory are within 1% of the guest's
    own meminfo at that moment, and the monitor counts the answered polls."""
    path = "/machine/peripheral/balloon0"
    with ctx.machine(name="balloon-stats", mem="512M") as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        q = m.qmp()
        assert _stats_requests(m) == 0
        q.execute("qom-set", path=path, property="guest-stats-polling-interval", value=1)
        deadline = time.monotonic() + 30
        while _stats_requests(m) < 2:
            assert time.monotonic() < deadline, m.command("balloon")
            time.sleep(0.5)
        time.sleep(2.5)
        st = q.execute("qom-get", path=path, property="guest-stats")
        own = _meminfo_kb(m)
        stats = st["stats"]
        n = _stats_requests(m)
        print("    %d polls answered; host sees free %d total %d avail %d, guest free %d total %d"
              % (n, stats["stat-free-memory"], stats["stat-total-memory"],
                 stats["stat-available-memory"], own["MemFree"], own["MemManaged"]))
        assert n >= 3, n
        assert st["last-update"] > 0, st
        assert abs(stats["stat-free-memory"] - own["MemFree"]) <= own["MemFree"] // 100, (stats, own)
        assert abs(stats["stat-total-memory"] - own["MemManaged"]) <= own["MemManaged"] // 100, \
            (stats, own)
        assert 0 < stats["stat-available-memory"] <= stats["stat-free-memory"], stats
        for key in ("stat-swap-in", "stat-swap-out", "stat-major-faults", "stat-minor-faults",
                    "stat-disk-caches", "stat-htlb-pgalloc", "stat-htlb-pgfail"):
            assert stats[key] == 0, (key, stats)
        assert "BROKEN" not in m.command("balloon")


def _query_for(value):
    """What query-balloon reports once the guest has reached `value` bytes:
    QEMU asks for (RAM - value) >> 12 pages."""
    return RAM - ((RAM - value) >> 12 << 12)


def test_balloon_random_targets(ctx):
    """512 MiB guest: 100 random targets (64..512 MiB) through QMP, some
    waited for, most replaced while the guest is still moving toward them,
    then back to full: the guest reaches every waited-for target exactly,
    ends with nothing inflated, no errors or clamps, free pages exactly as
    at boot (counting the pages the slab keeps for the xarray's nodes) and
    mm_check clean."""
    seed = int(os.environ.get("BALLOON_SEED", time.time_ns() % 1000000))
    print("    seed %d (BALLOON_SEED=%d to repeat)" % (seed, seed))
    rng = random.Random(seed)
    with ctx.machine(name="balloon-random", mem="512M") as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        q = m.qmp()
        b = _wait_settled(m)
        assert b["actual"] == 0 and b["nodes"] == 0, b
        free0, slab0 = free_pages(m), slab_pages(m)
        start = time.monotonic()
        waited = 0
        for i in range(100):
            value = rng.randrange(64 * MIB, RAM + 1)
            q.execute("balloon", value=value)
            if rng.random() < 0.25:
                wait_query_balloon(q, _query_for(value), 60)
                b = _wait_settled(m)
                assert b["num_pages"] == (RAM - value) >> 12 == b["actual"], (i, value, b)
                waited += 1
            else:
                time.sleep(rng.choice((0, rng.uniform(0, 0.3))))
        q.execute("balloon", value=RAM)
        wait_query_balloon(q, RAM)
        b = _wait_settled(m)
        mt = re.search(r"^batches:\s+(\d+) inflate, (\d+) deflate \((\d+)/(\d+) pages",
                       m.command("balloon"), re.M)
        free1, slab1 = free_pages(m), slab_pages(m)
        print("    100 targets (%d waited for) in %.1f s: %s inflate / %s deflate batches, "
              "%s pages in and out; free %d -> %d, slab %d -> %d pages" %
              (waited, time.monotonic() - start, mt.group(1), mt.group(2), mt.group(3),
               free0, free1, slab0, slab1))
        assert b["actual"] == 0 and b["inflated"] == 0 and b["nodes"] == 0, b
        assert b["errors"] == 0 and b["clamps"] == 0, b
        assert mt.group(3) == mt.group(4), mt.group(0)
        # The xarray's nodes went back to kmalloc-1024, which may keep an
        # empty slab (SLAB_KEEP_EMPTY): every other page is free again.
        assert free1 + slab1 == free0 + slab0, (free0, slab0, free1, slab1)
        assert slab1 - slab0 <= 4, (slab0, slab1)
        assert "mm_check: 0 violations" in m.command("mmcheck", 60)


def _pageblocks(m):
    out = m.command("pagetypeinfo")
    mt = re.search(r"^pageblocks \(2 MiB\):(.*)$", out, re.M)
    assert mt, out
    return mt.group(1).strip()


def _stolen(m):
    mt = re.search(r"^Allocations:.* (\d+) pageblocks stolen$", m.command("meminfo"), re.M)
    assert mt
    return int(mt.group(1))


def test_touch_then_balloon(ctx):
    """Monitor `touch` writes every free page down to the min watermark and
    gives it all back: free pages, pageblock types and mm_check as before
    (it never steals a pageblock); then a touched guest still inflates and
    deflates 256 MiB exactly."""
    with ctx.machine(name="balloon-touch", mem="512M") as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        q = m.qmp()
        _wait_settled(m)
        mi = m.command("meminfo")
        wmin = int(re.search(r"^Watermarks:\s+min (\d+)", mi, re.M).group(1))
        free0, blocks0, stolen0 = free_pages(m), _pageblocks(m), _stolen(m)
        out = m.command("touch", 120)
        mt = re.search(r"^touched (\d+) pages in (\d+) ms$", out, re.M)
        left = re.search(r"^untouched: (\d+) free pages", out, re.M)
        assert mt and left, out
        touched = int(mt.group(1))
        print("    touched %d of %d free pages in %s ms (%s left: min watermark %d)" %
              (touched, free0, mt.group(2), left.group(1), wmin))
        assert touched + int(left.group(1)) == free0, (touched, left.group(1), free0)
        assert int(left.group(1)) <= wmin + 1024, (left.group(1), wmin)
        assert free_pages(m) == free0
        assert _pageblocks(m) == blocks0 and _stolen(m) == stolen0
        assert "mm_check: 0 violations" in m.command("mmcheck", 60)

        q.execute("balloon", value=256 * MIB)
        wait_query_balloon(q, 256 * MIB)
        b = _wait_settled(m)
        assert b["actual"] == (RAM - 256 * MIB) // 4096, b
        q.execute("balloon", value=RAM)
        wait_query_balloon(q, RAM)
        b = _wait_settled(m)
        assert b["actual"] == 0 and b["errors"] == 0, b
        out = m.command("touch", 120)
        assert re.search(r"^touched \d+ pages in \d+ ms$", out, re.M), out
        assert m.command("touch extra").strip().startswith("usage"), "bad arguments"
        assert "error: nothing held" in m.command("touch free")
        assert ", held" in m.command("touch hold", 120)
        assert "error: pages are held already" in m.command("touch hold")
        assert "freed" in m.command("touch free", 60)
        assert "mm_check: 0 violations" in m.command("mmcheck", 60)
