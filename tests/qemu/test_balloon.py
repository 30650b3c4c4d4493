"""End-to-end tests of the virtio-balloon driver, driven from QMP: `balloon`
sets the target guest RAM in bytes, `query-balloon` reports the guest RAM
left (RAM minus what the driver has put in the balloon). The guest's own
view comes from the monitor (`balloon`, `meminfo`, `mmcheck`)."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import qemu  # noqa: E402

MIB = 1 << 20
RAM = 512 * MIB
XA_NODE_BYTES = 1024  # a 528-byte struct xa_node comes from kmalloc-1024


def _free_pages(m):
    out = m.command("meminfo")
    mt = re.search(r"^MemFree:\s+\d+ kB\s+\((\d+) pages", out, re.M)
    assert mt, out
    return int(mt.group(1))


def _balloon(m):
    out = m.command("balloon")
    info = {}
    for key in ("num_pages", "target", "actual", "inflated"):
        mt = re.search(r"^%s:\s+(\d+)" % key, out, re.M)
        assert mt, out
        info[key] = int(mt.group(1))
    mt = re.search(r"(\d+) xarray nodes", out)
    info["nodes"] = int(mt.group(1))
    mt = re.search(r"^errors:\s+(\d+) device, (\d+) clamps", out, re.M)
    info["errors"], info["clamps"] = int(mt.group(1)), int(mt.group(2))
    assert "BROKEN" not in out, out
    return info


def _wait_query(q, actual, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        got = q.execute("query-balloon")["actual"]
        if got == actual:
            return
        assert time.monotonic() < deadline, "query-balloon %d, want %d" % (got, actual)
        time.sleep(0.1)


def _wait_settled(m, timeout=120):
    """Poll the monitor until actual == target and stays so."""
    deadline = time.monotonic() + timeout
    while True:
        b = _balloon(m)
        if b["actual"] == b["target"] and b["inflated"] == b["actual"]:
            time.sleep(0.3)
            b2 = _balloon(m)
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
        free0 = _free_pages(m)

        # Inflate to 256 MiB of guest RAM.
        q.execute("balloon", value=256 * MIB)
        _wait_query(q, 256 * MIB)
        b = _wait_settled(m)
        moved = (RAM - 256 * MIB) // 4096
        assert b["actual"] == moved == b["inflated"] and b["clamps"] == 0, b
        free1 = _free_pages(m)
        overhead = b["nodes"] * XA_NODE_BYTES // 4096 + 8
        print("    inflated %d pages: free %d -> %d (xarray %d nodes)" %
              (moved, free0, free1, b["nodes"]))
        assert moved <= free0 - free1 <= moved + overhead, (free0, free1, moved, overhead)

        # And back.
        q.execute("balloon", value=RAM)
        _wait_query(q, RAM)
        b = _wait_settled(m)
        assert b["actual"] == 0 and b["inflated"] == 0 and b["nodes"] == 0, b
        free2 = _free_pages(m)
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
        while _balloon(m)["num_pages"] != RAM // 4096 - 1:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        b = _wait_settled(m)
        left = _free_pages(m)
        print("    target 0 (%s by QEMU), target 1 B: %d pages clamped to %d, %d pages free" %
              (zero, b["num_pages"], b["target"], left))
        assert b["target"] < b["num_pages"] and b["clamps"] >= 1, b
        assert left >= 32 * MIB // 4096, left
        assert "clamped to" in m.output
        assert q.execute("query-balloon")["actual"] == RAM - b["actual"] * 4096
        assert "mm_check: 0 violations" in m.command("mmcheck", 60)

        # Full again: free pages as at boot, nothing broken.
        q.execute("balloon", value=RAM)
        _wait_query(q, RAM)
        b = _wait_settled(m)
        assert b["actual"] == 0 and b["inflated"] == 0 and b["errors"] == 0, b
        free3 = _free_pages(m)
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
