"""QEMU benchmarks of the balloon as part of memory management (run by
tools/bench.py). 512 MiB guests driven from QMP; each figure is the median
over ctx.boots boots (one each with --quick).

  balloon_free_2m_blocks_after_inflate_{aware,naive}
      booted with balloon.policy=aware / naive: monitor `frag standard`,
      then inflate 512 -> 256 MiB through QMP (until query-balloon reports
      it), then `frag clear` (the fragmenting workload exits, its pages
      are free again), then the free 2 MiB blocks of `buddyinfo` (orders
      >= 9, an order-10 block counting 2): how many pageblocks the balloon
      left untouched. Counted before `frag clear` it is 0 for any policy:
      the scenario leaves no free 2 MiB block and the balloon takes 3/4 of
      its holes.
  balloon_free_2m_blocks_after_deflate_{aware,naive}
      the same boot, then deflate 256 -> 384 MiB: which pages deflate gives
      back decides how many blocks they complete.
      Each aware figure has the naive one of the same run as its baseline
      (the boots interleave: aware, naive, ...); a naive 0 gives no ratio,
      and the note says how many blocks the free pages could fill.
  balloon_migrate_page_us
      the flow of tests/qemu/test_balloon_mm.py's
      test_compaction_migrates_balloon_pages (inflate to 448 MiB, `frag
      standard`, inflate to 256 MiB, one full `compact`): the `ns per page`
      of the `balloon` migration line (guest TSC under TCG; each page is two
      device round trips, a deflate of the old PFN and an inflate of the new)
  compact_recovered_pct_standard_balloon_512m
      that compaction's recovered_pct (free 2 MiB blocks after / T, T taken
      with the balloon inflated; never above 100: a result above T fails the
      run)

After that compaction the guest must pass `frag verify` (the scenario's
pages kept their contents) and `mmcheck`; otherwise balloon_migrate_page_us
and compact_recovered_pct_standard_balloon_512m are reported failed (null,
with the reason).

The migration boot runs with -mem-prealloc, as bench/qemu_compact.py does,
so that the host's first touches of guest RAM stay out of the timed copies.
"""
import re
import statistics
import sys

from guest import check_contents, compact_short_of_T, free_pages, parse_compact, set_balloon

MIB = 1 << 20
RAM = 512 * MIB
POLICIES = ("aware", "naive")
POLL_S = 0.02

POLICY_RE = re.compile(r"^batch:\s+\d+ PFNs per buffer, (\w+) policy", re.M)
MIGRATION_RE = re.compile(r"^migration:\s+(\d+) migrated, (\d+) failed, (\d+) released while "
                          r"isolated, (\d+) isolated now, (\d+) ns per page$", re.M)


def set_target(q, mib):
    """Ask for @mib MiB of guest RAM; wait until query-balloon reports it."""
    set_balloon(q, mib * MIB, 180, POLL_S)


def free_2m_blocks(m):
    """Free 2 MiB blocks from `buddyinfo`: orders >= 9, order o counting
    2^(o-9)."""
    out = m.command("buddyinfo")
    head = re.search(r"^order:((?:\s+\d+)+)\s*$", out, re.M)
    zone = re.search(r"^zone \S+((?:\s+\d+)+)\s*$", out, re.M)
    if not head or not zone:
        raise RuntimeError("unexpected `buddyinfo` output:\n%s" % out)
    orders = [int(x) for x in head.group(1).split()]
    counts = [int(x) for x in zone.group(1).split()]
    if len(orders) != len(counts):
        raise RuntimeError("`buddyinfo`: %d orders, %d counts:\n%s" %
                           (len(orders), len(counts), out))
    return sum(n << (o - 9) for o, n in zip(orders, counts) if o >= 9)


def check_clean(m, what):
    if "mm_check: 0 violations" not in m.command("mmcheck", 120):
        raise RuntimeError("mm_check failed after %s" % what)


def blocks_boot(ctx, policy):
    """Boot with balloon.policy=@policy, fragment (standard), inflate to
    256 MiB, end the scenario, deflate to 384 MiB; return the free 2 MiB
    blocks and free pages after the inflate (scenario ended) and after the
    deflate."""
    with ctx.machine("balloon.policy=%s" % policy, mem="512M",
                     name="bench-balloon-mm") as m:
        m.wait_ready(60)
        m.expect("> ", 10)
        q = m.qmp()
        got = POLICY_RE.search(m.command("balloon"))
        if not got or got.group(1) != policy:
            raise RuntimeError("booted with balloon.policy=%s, `balloon` says %s" %
                               (policy, got and got.group(1)))
        if "frag standard:" not in m.command("frag standard", 120):
            raise RuntimeError("`frag standard` failed:\n%s" % m.output[-2000:])
        set_target(q, 256)
        if "cleared" not in m.command("frag clear", 120):
            raise RuntimeError("`frag clear` failed:\n%s" % m.output[-2000:])
        res = {"inflate": (free_2m_blocks(m), free_pages(m))}
        set_target(q, 384)
        res["deflate"] = (free_2m_blocks(m), free_pages(m))
        check_clean(m, "the %s inflate and deflate" % policy)
        return res


def migrate_boot(ctx):
    """The flow of test_compaction_migrates_balloon_pages; return the
    migration's ns per page, recovered_pct and counts."""
    with ctx.machine("", mem="512M", name="bench-balloon-mm",
                     extra=("-mem-prealloc",)) as m:
        m.wait_ready(60)
        m.expect("> ", 10)
        q = m.qmp()
        set_target(q, 448)
        if "frag standard:" not in m.command("frag standard", 120):
            raise RuntimeError("`frag standard` failed:\n%s" % m.output[-2000:])
        set_target(q, 256)
        out = m.command("compact", 600)
        rec = parse_compact(out)
        mig = MIGRATION_RE.search(m.command("balloon"))
        if not mig:
            raise RuntimeError("unexpected `balloon` output after:\n%s" % out)
        migrated, failed = int(mig.group(1)), int(mig.group(2))
        if not migrated or rec["by_owner"].get("balloon") != migrated:
            raise RuntimeError("compaction moved no balloon page, or the counts disagree "
                               "(balloon: %d migrated):\n%s" % (migrated, out))
        problem, said = None if rec["within_T"] else compact_short_of_T(rec), None
        if not problem:
            problem, said = check_contents(m)
        print("qemu: verified the balloon compaction: %s" %
              ("FAILED: " + problem if problem else "within T; " + said),
              file=sys.stderr, flush=True)
        rec.update(ns=int(mig.group(5)), migrated=migrated, balloon_failed=failed,
                   problem=problem)
        return rec


def spread(values, digits=0):
    if len(values) < 2:
        return ""
    return "; boots %.*f..%.*f" % (digits, min(values), digits, max(values))


def bench_balloon_mm(ctx):
    """Free 2 MiB blocks after a 256 MiB inflate into a fragmented guest,
    contiguity-aware policy against naive; the time of one balloon page
    migration and the recovered_pct of the compaction that moves them."""
    runs_of = {p: [] for p in POLICIES}
    mig = []
    for _ in range(ctx.boots):
        # Interleaved: one boot of each configuration per round.
        for p in POLICIES:
            runs_of[p].append(blocks_boot(ctx, p))
        mig.append(migrate_boot(ctx))
    n = ctx.boots
    runs = "median of %d boot%s" % (n, "s" * (n > 1))
    out = []
    for step, flow in (("inflate", "`frag standard`, inflate to 256 MiB, `frag clear`"),
                       ("deflate", "`frag standard`, inflate to 256 MiB, `frag clear`, "
                                   "deflate to 384 MiB")):
        figs = []
        for p in POLICIES:
            blocks = [r[step][0] for r in runs_of[p]]
            possible = statistics.median(r[step][1] for r in runs_of[p]) // 512
            figs.append({
                "name": "balloon_free_2m_blocks_after_%s_%s" % (step, p),
                "value": statistics.median(blocks), "unit": "blocks", "runs": n,
                "note": "512 MiB guest, balloon.policy=%s: %s; free 2 MiB blocks (buddyinfo "
                        "orders >= 9, order 10 counting 2) of %d the free pages could fill; "
                        "%s%s" % (p, flow, possible, runs, spread(blocks))})
        naive = figs[1]["value"]
        if naive:
            figs[0].update(baseline=naive, ratio=round(figs[0]["value"] / naive, 4))
        else:
            figs[0]["note"] += "; no ratio: the naive policy left no free 2 MiB block"
        out += figs
    ns = [r["ns"] for r in mig]
    out.append({
        "name": "balloon_migrate_page_us", "value": round(statistics.median(ns) / 1000, 3),
        "unit": "us", "runs": n,
        "note": "512 MiB guest (-mem-prealloc): inflate to 448 MiB, `frag standard`, inflate "
                "to 256 MiB, `compact`: the `balloon` migration line's ns per page (guest TSC, "
                "TCG; two device round trips per page) over %d pages migrated, %d failed; %s%s"
                % (mig[0]["migrated"], max(r["balloon_failed"] for r in mig), runs,
                   spread([v / 1000 for v in ns], 1))})
    pct = [r["recovered_pct"] for r in mig]
    fig = {"name": "compact_recovered_pct_standard_balloon_512m",
           "value": None if None in pct else statistics.median(pct), "unit": "%", "runs": n,
           "note": "the same compaction: free 2 MiB blocks after / T (%d -> %d, T %d, with the "
                   "balloon at 256 MiB); %s%s" % (mig[0]["before"], mig[0]["after"],
                                                  mig[0]["T"], runs,
                                                  "" if None in pct else spread(pct, 2))}
    problems = ["boot %d: %s" % (i + 1, r["problem"]) for i, r in enumerate(mig) if r["problem"]]
    if problems:  # no number from a run that failed its verification
        for f in (out[-1], fig):
            f.update(value=None, failed="; ".join(problems))
    elif fig["value"] is None:
        fig["skipped"] = "T was 0: nothing to divide by"
    out.append(fig)
    return out
