"""Stress of the balloon together with fragmentation and compaction (512 MiB
guest, driven from QMP and the monitor): random balloon targets interleave
with fragmentation scenarios being built and dropped and with full
compactions, which migrate balloon pages while the balloon thread may be
moving. Seeded: the seed is printed, BALLOON_SEED=N replays it (the
guest's timing still varies)."""
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from guest import balloon_info, free_pages, pgtable_pages, slab_pages  # noqa: E402

MIB = 1 << 20
RAM = 512 * MIB
TARGETS = 200
EVENT_EVERY = 20  # targets between two scenario/compaction events (about)
VERIFY_RE = re.compile(r"^frag verify: (\d+) mapped pages, (\d+) bad; mslab (\d+) objects, "
                       r"(\d+) bad$", re.M)
KEPT_RE = re.compile(r"^frag (\w+): (\d+) mapped pages kept", re.M)


def wait_settled(m, q, timeout=60):
    """Wait until the guest has reached its (possibly clamped) target and
    the host agrees; return the monitor's view."""
    deadline = time.monotonic() + timeout
    while True:
        b = balloon_info(m)
        if b["actual"] == b["target"] == b["inflated"] and b["num_pages"] >= b["target"]:
            if q.execute("query-balloon")["actual"] == RAM - b["actual"] * 4096:
                time.sleep(0.2)
                b2 = balloon_info(m)
                if b2["actual"] == b["actual"] and b2["target"] == b["target"]:
                    return b2
        assert time.monotonic() < deadline, b
        time.sleep(0.1)


def verify(m, expect=None):
    """`frag verify`: nothing bad; return (mapped pages, mslab objects),
    which must equal @expect when given."""
    out = m.command("frag verify", 120)
    mt = VERIFY_RE.search(out)
    assert mt, out
    pages, pbad, objs, obad = (int(g) for g in mt.groups())
    assert pbad == 0 and obad == 0, out
    if expect is not None:
        assert (pages, objs) == expect, (out, expect)
    return pages, objs


def test_balloon_stress(ctx):
    """200 random targets interleaved with fragmenting and compaction (<= 3
    min): free pages exactly restored at the end, mm_check() and checksums
    (`frag verify`, `mslabinfo check`) clean."""
    seed = int(os.environ.get("BALLOON_SEED", time.time_ns() % 1000000))
    print("    seed %d (BALLOON_SEED=%d to repeat)" % (seed, seed))
    rng = random.Random(seed)
    start = time.monotonic()
    with ctx.machine(name="balloon-stress", mem="512M") as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        q = m.qmp()
        b = wait_settled(m, q)
        assert b["actual"] == 0 and b["nodes"] == 0, b
        # No warm-up: a scenario's page tables go with it.
        free0, slab0, pt0 = free_pages(m), slab_pages(m), pgtable_pages(m)[0]
        active, expect = None, None
        waited = builds = compactions = clears = verifies = 0
        next_event = rng.randint(EVENT_EVERY // 2, EVENT_EVERY * 3 // 2)
        for i in range(TARGETS):
            q.execute("balloon", value=rng.randrange(64 * MIB, RAM + 1))
            if rng.random() < 0.2:
                b = wait_settled(m, q)
                assert b["target"] <= b["num_pages"], (i, b)
                if b["target"] < b["num_pages"]:
                    assert b["clamps"] > 0, (i, b)
                waited += 1
            else:
                time.sleep(rng.choice((0, rng.uniform(0, 0.3))))
            if i + 1 < next_event:
                continue
            next_event += rng.randint(EVENT_EVERY // 2, EVENT_EVERY * 3 // 2)
            if active is None and rng.random() < 0.75:
                name = rng.choice(("standard", "mixed"))
                out = m.command("frag %s" % name, 120)
                if "error:" in out:  # e.g. the balloon left too little to fill
                    print("    target %d: frag %s: %s" % (i, name, out.strip()))
                    continue
                kept = KEPT_RE.search(out)
                assert kept and kept.group(1) == name, out
                active, builds = name, builds + 1
                expect = verify(m)
                assert expect[0] == int(kept.group(2)), (out, expect)
                assert (expect[1] > 0) == (name == "mixed"), expect
            elif active is None or rng.random() < 0.7:
                out = m.command("compact", 300)
                assert re.search(r"^2 MiB blocks: \d+ -> \d+", out, re.M), out
                assert re.search(r"^moved \d+ pages, failed \d+;", out, re.M), out
                compactions += 1
                if active:
                    verify(m, expect)
                    verifies += 1
                    if active == "mixed":
                        assert "mslab_check frag-mixed: 0 violations" in \
                            m.command("mslabinfo check", 60)
            else:
                verify(m, expect)
                m.command("frag clear", 120)
                active, clears = None, clears + 1
        if active:
            verify(m, expect)
        m.command("frag clear", 120)
        q.execute("balloon", value=RAM)
        b = wait_settled(m, q, 120)
        assert q.execute("query-balloon")["actual"] == RAM
        free1, slab1, pt1 = free_pages(m), slab_pages(m), pgtable_pages(m)[0]
        took = time.monotonic() - start
        print("    %d targets (%d waited for), %d scenarios built, %d compactions (%d verified), "
              "%d clears; %d balloon pages migrated; free %d -> %d, slab %d -> %d, page tables "
              "%d -> %d pages; %.1f s" % (TARGETS, waited, builds, compactions, verifies, clears,
                                          b["migrated"], free0, free1, slab0, slab1, pt0, pt1,
                                          took))
        assert b["actual"] == 0 and b["inflated"] == 0 and b["nodes"] == 0, b
        assert b["errors"] == 0 and b["isolated"] == 0, b
        assert free1 + slab1 == free0 + slab0, (free0, slab0, free1, slab1)
        assert pt1 == pt0, (pt0, pt1)
        assert slab1 - slab0 <= 8, (slab0, slab1)
        out = m.command("mmcheck", 60)
        assert "mm_check: 0 violations" in out and "vmap_check: 0 violations" in out, out
        assert "BROKEN" not in m.output
        assert took <= 180, "took %.0f s (budget 180 s)" % took
