"""QEMU benchmarks of compaction (run by tools/bench.py).

A guest boots with `frag=SCENARIO` (the scenario is built right after the
ready line; `compact=off` keeps the proactive thread away from it), then
one explicit full `compact` runs from the monitor. QEMU runs with
-mem-prealloc: the scenario's pages are never written before compaction
copies them, so without it the host's first-touch faults on guest RAM land
in the timed run (and vary tenfold on a shared host). Its output
(monitor/compact.c) gives the figures, each the median over ctx.boots
boots:

  compact_recovered_pct_<scenario>_<mem>  free 2 MiB blocks after / T (goal >= 99)
  compact_moves_per_block_<...>           pages moved per block gained; baseline
                                          and ratio: the minimum (goal ratio <= 1.05)
  compact_min_moves_per_block_<...>       the minimum: used pages of the T
                                          cheapest blocks / T
  compact_ms_<...>                        the compaction's time (guest TSC, TCG)

for the scenarios sparse and standard on 512 MiB and 1 GiB guests (mem as
512m / 1g), and for mixed (standard plus mslab objects, which the
compaction packs first) on 512 MiB (bench_compact_mixed); --quick boots the
512 MiB guest once per scenario and reports the 1 GiB figures skipped.

bench_compact_writer boots a 2-CPU 512 MiB guest with `sparse`, starts the
monitor's `writer` on CPU 1 (it keeps writing into every kept mapped page
and checks that no write is lost; it allocates nothing, so T stays a bound)
and compacts under it:

  compact_recovered_pct_sparse_512m_smp2, compact_ms_sparse_512m_smp2

bench_compact_picture boots one 512 MiB guest, runs `frag mixed`, then `picture`,
`buddyinfo`, `compact`, `picture`, `buddyinfo`, and saves the maps and free
blocks per order into compact_picture.json beside results.json (for the
pictures tools/plots.py draws); its figures are the free pageblocks of the
map before and after:

  compact_picture_free_pageblocks_before_mixed_512m   `.` cells before `compact`
  compact_picture_free_pageblocks_after_mixed_512m    ... and after
"""
import json
import os
import re
import statistics

import sys

from guest import check_contents, compact_short_of_T, parse_compact

SCENARIOS = ("sparse", "standard")
MEMS = (("512M", "512m"), ("1G", "1g"))
MAP_ROW_RE = re.compile(r"^0x([0-9a-f]+) ([.MUBSXR]+)\r?$", re.M)
PICTURE_COUNTS_RE = re.compile(r"^picture: (\d+) pageblocks of 2 MiB: \. free (\d+),", re.M)
BUDDY_RE = re.compile(r"^zone \S+((?:\s+\d+){11})\s*$", re.M)


def verify_after(m, fig, what):
    """Check the guest after a compaction (`what` names it in the log line):
    the result against its own maximum, no page failed to move, the
    scenario's contents (`frag verify`) and every mm invariant (`mmcheck`);
    record the first problem in fig["problem"] (its figures are then
    reported as failed, not as numbers)."""
    why, said = None if fig["within_T"] else compact_short_of_T(fig), None
    if not why and fig["failed"]:
        why = "%d pages failed to move" % fig["failed"]
    if not why:
        why, said = check_contents(m)
    print("qemu: verified %s: %s" % (what, "FAILED: " + why if why else
                                      "within T, no page failed; " + said),
          file=sys.stderr, flush=True)
    fig["problem"] = why
    return fig


def compact_after_boot(ctx, mem, scenario):
    """Boot a `mem` guest fragmented by `scenario`, compact fully once."""
    with ctx.machine("frag=%s compact=off" % scenario, mem=mem, name="bench-compact",
                     qmp=False, extra=("-mem-prealloc",)) as m:
        m.wait_ready(60)
        m.expect("> ", 300)
        if "%s: 2 MiB blocks free" % scenario not in m.output:
            raise RuntimeError("frag=%s did not fragment the %s guest:\n%s" %
                               (scenario, mem, m.output[-2000:]))
        return verify_after(m, parse_compact(m.command("compact", 600)),
                            "compact %s %s" % (scenario, mem))


def median(runs, key):
    values = [r[key] for r in runs]
    return None if None in values else statistics.median(values)


def figures(runs, scenario, tag):
    """The four figures of one guest size and scenario from its boots."""
    names = ["compact_%s_%s_%s" % (k, scenario, tag)
             for k in ("recovered_pct", "moves_per_block", "min_moves_per_block", "ms")]
    if not runs:
        why = "--quick: the 512 MiB guest only"
        return [{"name": n, "value": None, "unit": u, "skipped": why}
                for n, u in zip(names, ("%", "pages", "pages", "ms"))]
    n = len(runs)
    what = "%s on a %s guest, one full `compact` after boot, median of %d boot%s" % (
        scenario, tag, n, "s" * (n > 1))
    failed = max(r["failed"] for r in runs)
    rec, moves, low, ms = (median(runs, k) for k in
                           ("recovered_pct", "moves_per_block", "min_moves_per_block", "ms"))
    nothing = "nothing to divide by (T or the blocks gained is 0)"
    r0 = runs[0]
    pack = ("; packing before T was taken: %d objects moved, %d bytes copied, %d mslab pages "
            "freed" % (r0["pack_objects"], r0["pack_bytes"], r0["pack_pages"])
            if r0["pack_objects"] else "")
    out = [
        {"name": names[0], "value": rec, "unit": "%", "runs": n,
         "note": "%s: free 2 MiB blocks after / T (%d -> %d, T %d); goal >= 99, never above "
                 "100%s" % (what, r0["before"], r0["after"], r0["T"], pack)},
        {"name": names[1], "value": moves, "unit": "pages", "runs": n,
         "note": "%s: pages moved per 2 MiB block gained (%d moved, %d failed at most); "
                 "baseline: the minimum; goal ratio <= 1.05" % (what, r0["moved"], failed)},
        {"name": names[2], "value": low, "unit": "pages", "runs": n,
         "note": "%s: used pages of the T cheapest evacuable blocks / the blocks of them "
                 "not free already" % what},
        {"name": names[3], "value": round(ms, 3), "unit": "ms", "runs": n,
         "note": "%s: the compaction's own time (guest TSC under TCG, guest RAM "
                 "preallocated)" % what},
    ]
    for f in out[:3]:
        if f["value"] is None:
            f["skipped"] = nothing
    if moves is not None and low:
        out[1].update(baseline=low, ratio=round(moves / low, 4))
    return fail_unverified(out, runs)


def fail_unverified(out, runs):
    """A run that failed its verification turns every figure of the group
    into a failure (null, with the reason): no number from a broken run."""
    problems = ["boot %d: %s" % (i + 1, r["problem"]) for i, r in enumerate(runs)
                if r.get("problem")]
    if problems:
        for f in out:
            f["value"] = None
            f.pop("baseline", None)
            f.pop("ratio", None)
            f["failed"] = "; ".join(problems)
    return out


def bench_compact(ctx):
    """Recovered blocks, moves against the minimum and time of one full
    compaction of the sparse and standard scenarios in 512 MiB and 1 GiB
    guests."""
    result = []
    for mem, tag in MEMS:
        for scenario in SCENARIOS:
            boots = 0 if ctx.quick and tag != "512m" else ctx.boots
            runs = [compact_after_boot(ctx, mem, scenario) for _ in range(boots)]
            result += figures(runs, scenario, tag)
    return result


def bench_compact_mixed(ctx):
    """The same four figures for the mixed scenario (mslab pools packed
    before pages move) in a 512 MiB guest."""
    runs = [compact_after_boot(ctx, "512M", "mixed") for _ in range(ctx.boots)]
    return figures(runs, "mixed", "512m")


WRITER_OFF_RE = re.compile(r"writer: cpu (\d+), (\d+) passes, (\d+) writes in (\d+) ms, "
                           r"(\d+) faults-and-waits, (\d+) lost")


def compact_under_writer(ctx):
    """Boot a 2-CPU 512 MiB guest fragmented by `sparse`, start the writer on
    CPU 1 (it writes into every kept mapped page, allocating nothing, so T
    stays a bound), compact fully once, stop the writer; the run is verified
    like the others, and the writer must have lost nothing."""
    with ctx.machine("frag=sparse compact=off", mem="512M", name="bench-compact-writer",
                     qmp=False, smp=2, extra=("-mem-prealloc",)) as m:
        m.wait_ready(60)
        m.expect("> ", 300)
        out = m.command("writer on 1", 30)
        if "writer: on cpu 1" not in out:
            raise RuntimeError("`writer on 1` refused:\n%s" % out)
        fig = parse_compact(m.command("compact", 600))
        out = m.command("writer off", 120)
        w = WRITER_OFF_RE.search(out)
        if not w:
            raise RuntimeError("unexpected `writer off` output:\n%s" % out)
        fig["writer"] = {"passes": int(w.group(2)), "writes": int(w.group(3)),
                         "waits": int(w.group(5)), "lost": int(w.group(6))}
        fig = verify_after(m, fig, "compact sparse 512M under the writer")
        if not fig["problem"] and (fig["writer"]["lost"] or not fig["writer"]["passes"]):
            fig["problem"] = "the writer lost %d writes in %d passes" % (
                fig["writer"]["lost"], fig["writer"]["passes"])
        return fig


def bench_compact_writer(ctx):
    """compact_recovered_pct_sparse_512m_smp2 and compact_ms_sparse_512m_smp2:
    one full compaction of the sparse scenario in a 512 MiB guest with 2
    CPUs while a writer on CPU 1 keeps writing into the pages it moves."""
    runs = [compact_under_writer(ctx) for _ in range(ctx.boots)]
    n, r0 = len(runs), runs[0]
    what = ("sparse on a 512m guest with 2 CPUs, one full `compact` while a writer on cpu 1 "
            "writes into every kept mapped page, median of %d boot%s (first: writer %d passes, "
            "%d writes, %d faults-and-waits, 0 lost)" % (
                n, "s" * (n > 1), r0["writer"]["passes"], r0["writer"]["writes"],
                r0["writer"]["waits"]))
    out = [
        {"name": "compact_recovered_pct_sparse_512m_smp2", "value": median(runs, "recovered_pct"),
         "unit": "%", "runs": n,
         "note": "%s: free 2 MiB blocks after / T (%d -> %d, T %d); compare "
                 "compact_recovered_pct_sparse_512m" % (what, r0["before"], r0["after"], r0["T"])},
        {"name": "compact_ms_sparse_512m_smp2", "value": round(median(runs, "ms"), 3),
         "unit": "ms", "runs": n,
         "note": "%s: the compaction's own time (guest TSC under TCG; the writer's vCPU "
                 "shares the host's cores); compare compact_ms_sparse_512m" % what},
    ]
    if out[0]["value"] is None:
        out[0]["skipped"] = "nothing to divide by (T is 0)"
    return fail_unverified(out, runs)


def parse_picture(out):
    """(base address, map string) of one plain `picture` output (mm/picture.h)."""
    rows = MAP_ROW_RE.findall(out)
    counts = PICTURE_COUNTS_RE.search(out)
    chars = "".join(r[1] for r in rows)
    if not rows or not counts or len(chars) != int(counts.group(1)):
        raise RuntimeError("unexpected `picture` output:\n%s" % out[-2000:])
    return int(rows[0][0], 16), chars


def parse_buddyinfo(out):
    """Free blocks per order 0..10 of one `buddyinfo` output."""
    m = BUDDY_RE.search(out)
    if not m:
        raise RuntimeError("unexpected `buddyinfo` output:\n%s" % out)
    return [int(x) for x in m.group(1).split()]


def bench_compact_picture(ctx):
    """The map and free lists of a 512 MiB guest before and after one full
    `compact` of the mixed scenario, saved for the pictures."""
    with ctx.machine("compact=off", mem="512M", name="bench-compact-map", qmp=False,
                     extra=("-mem-prealloc",)) as m:
        m.wait_ready(60)
        m.expect("> ", 60)
        m.command("frag mixed", 300)
        base, before = parse_picture(m.command("picture", 60))
        free_before = parse_buddyinfo(m.command("buddyinfo"))
        run = verify_after(m, parse_compact(m.command("compact", 600)), "compact map mixed 512M")
        _, after = parse_picture(m.command("picture", 60))
        free_after = parse_buddyinfo(m.command("buddyinfo"))
    data = {"mem": "512M", "scenario": "mixed", "base_addr": base, "pageblocks": len(before),
            "picture_before": before, "picture_after": after, "free_before": free_before,
            "free_after": free_after}
    with open(os.path.join(ctx.out_dir, "compact_picture.json"), "w") as f:
        json.dump(data, f)
        f.write("\n")
    what = "`picture` of a 512 MiB guest after `frag mixed`, %s one full `compact`"
    return fail_unverified(
        [{"name": "compact_picture_free_pageblocks_before_mixed_512m",
          "value": before.count("."), "unit": "blocks", "note": what % "before"},
         {"name": "compact_picture_free_pageblocks_after_mixed_512m",
          "value": after.count("."), "unit": "blocks", "note": what % "after"}], [run])
