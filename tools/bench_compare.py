#!/usr/bin/env python3
"""Compare the host benchmarks (bench/*.c, host_bench) of two builds, with a
fixed protocol (docs/benchmarks.md, "Host benchmarks, old against new"):

  - the old build is git revision --old (default d67972b), exported with
    `git archive` into build/bench-compare/REV/ and built there
    (`make -C TREE O=TREE/build TREE/build/bench/host_bench`); the new build
    is this tree's (`make O=build build/bench/host_bench`);
  - old then new, one after the other, --repeat times (default 3): each a
    full host_bench run (with --quick when given, and the GROUP filters),
    BENCH_DATA_DIR a fresh temporary directory (the data for pictures is
    thrown away, build/bench/ is left alone);
  - every JSON line host_bench prints is a figure, known by its "name"; the
    number compared is its "value" (in its "unit"); the same-run baselines
    and ratios are not compared; the table shows, per figure, the median of
    the old runs, the median of the new runs and new / old;
  - a figure whose value is null in any run (it failed its verification, or
    was skipped) shows as null, with why, and is flagged: it is never made
    into a number; so is a figure missing from some runs (only in one build,
    or a run that crashed), and one whose unit changed (no ratio then);
  - "!" marks a ratio outside 1 ± --tolerance (default 0.10), either way:
    figures are times (lower is better) and rates alike, so the direction is
    the reader's.

Prints one Markdown table row per figure (new's order, then the figures only
the old build has), then `N figures, M outside ±10%`. Exit status: 0
whatever the figures say; 1 when a build failed, or a host_bench run crashed,
printed malformed output or exited non-zero (a failed verification does: the
table is printed first). Usage:
    tools/bench_compare.py [--old REV] [--repeat 3] [--tolerance 0.10] [--quick] [GROUP...]
(`make bench-compare` runs it with the defaults, BENCH_OLD=rev.) Run it with
`nice` on a shared machine: both builds see the same load only when run back
to back.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build(tree, out):
    """`make @out/bench/host_bench` in @tree with O=@out; exit on failure.
    Return: the binary."""
    exe = os.path.join(out, "bench", "host_bench")
    proc = subprocess.run(["make", "-C", tree, "O=" + out, exe],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout[-3000:])
        sys.exit("bench_compare: make %s failed in %s" % (exe, tree))
    return exe


def old_build(rev, base):
    """Export @rev into @base/REV and build its host_bench. Return: the binary."""
    tree = os.path.join(base, rev)
    if not os.path.isdir(tree):
        os.makedirs(os.path.dirname(tree), exist_ok=True)  # REV may hold a /
        archive = subprocess.run(["git", "-C", ROOT, "archive", rev], stdout=subprocess.PIPE)
        if archive.returncode != 0:
            sys.exit("bench_compare: git archive %s failed" % rev)
        archive = archive.stdout
        part = tempfile.mkdtemp(prefix=os.path.basename(tree) + ".",
                                dir=os.path.dirname(tree))  # no half tree under REV
        os.chmod(part, 0o755)
        subprocess.run(["tar", "-x", "-C", part], input=archive, check=True)
        os.rename(part, tree)
    return build(tree, os.path.join(tree, "build"))


def run(exe, args):
    """One full host_bench run. Return: ({name: figure}, problem or None)."""
    cmd = [exe] + (["--quick"] if args.quick else []) + args.groups
    with tempfile.TemporaryDirectory(prefix="bench-compare.") as d:
        env = dict(os.environ, BENCH_DATA_DIR=d)
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              errors="replace", env=env)
    figures, problem = {}, None
    for line in proc.stdout.splitlines():
        if not line.strip():
            continue
        try:
            fig = json.loads(line)
        except ValueError:
            fig = None
        if not isinstance(fig, dict) or not isinstance(fig.get("name"), str):
            problem = problem or "printed a line that is not a figure: %r" % line[:200]
            continue
        figures[fig["name"]] = fig
    if proc.returncode != 0:
        problem = "exit status %d" % proc.returncode
    if problem:
        sys.stderr.write(proc.stderr[-2000:])
    return figures, problem


def why_null(fig):
    """Why @fig has no number ("failed: ...", "skipped: ..."), or None."""
    v = fig.get("value")
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return None
    for key in ("failed", "skipped"):
        if fig.get(key):
            return "%s: %s" % (key, fig[key])
    return "value %s" % json.dumps(v)


def side(runs, name):
    """One build's figure @name over its @runs.
    Return: (median or None, unit or None, flag or None)."""
    figs = [r[name] for r in runs if name in r]
    if not figs:
        return None, None, "absent"
    units = sorted({str(f.get("unit")) for f in figs})
    for f in figs:
        why = why_null(f)
        if why:
            return None, units[0], "null (%s)" % why
    if len(figs) < len(runs):
        return None, units[0], "in %d of %d runs" % (len(figs), len(runs))
    if len(units) > 1:
        return None, "/".join(units), "unit changed between runs"
    return statistics.median(f["value"] for f in figs), units[0], None


def cell(text, width=80):
    """@text as one Markdown table cell."""
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= width else text[:width - 1] + "…"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", default="d67972b", help="git revision of the old build")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tolerance", type=float, default=0.10,
                    help="mark ratios outside 1 ± this (0.10: ±10%%)")
    ap.add_argument("--quick", action="store_true", help="host_bench --quick (proves it runs)")
    ap.add_argument("--build", default=os.environ.get("O", os.path.join(ROOT, "build")))
    ap.add_argument("groups", nargs="*", help="host_bench GROUP filters")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    args.build = os.path.abspath(args.build)  # make -C runs the old build elsewhere
    start = time.monotonic()
    exes = (old_build(args.old, os.path.join(args.build, "bench-compare")),
            build(ROOT, args.build))
    runs, failed = ([], []), False
    for i in range(args.repeat):
        for which, exe in enumerate(exes):
            label = ("old (%s)" % args.old, "new")[which]
            print("bench_compare: run %d/%d, %s, at %.0f s" %
                  (i + 1, args.repeat, label, time.monotonic() - start),
                  file=sys.stderr, flush=True)
            figures, problem = run(exe, args)
            if problem:
                print("bench_compare: %s run %d: host_bench %s" % (label, i + 1, problem),
                      file=sys.stderr, flush=True)
                failed = True
            runs[which].append(figures)
    names = []
    for r in runs[1] + runs[0]:
        names += [n for n in r if n not in names]

    tol = "±%g%%" % (args.tolerance * 100)
    print("protocol: full host_bench runs%s%s, old (%s) then new, back to back, "
          "median of %d, ! when new / old is outside %s" %
          (" --quick" if args.quick else "", "".join(" " + g for g in args.groups),
           args.old, args.repeat, tol))
    print("| figure | unit | old | new | new / old | |")
    print("|---|---|---:|---:|---:|---|")
    outside = flagged = 0
    for name in names:
        (old, old_unit, old_flag), (new, new_unit, new_flag) = \
            side(runs[0], name), side(runs[1], name)
        unit = new_unit or old_unit
        ratio, mark = "-", ""
        if old_flag or new_flag:
            mark = "flagged"
            flagged += 1
        elif old_unit != new_unit:
            unit, mark = "%s → %s" % (old_unit, new_unit), "flagged (unit changed)"
            flagged += 1
        elif old == 0:
            ratio = "-" if new == 0 else "∞"
            mark = "" if new == 0 else "!"
            outside += mark == "!"
        else:
            ratio = "%.3f×" % (new / old)
            if abs(new / old - 1) > args.tolerance:
                mark = "!"
                outside += 1
        print("| %s | %s | %s | %s | %s | %s |" %
              (cell(name), cell(unit or "-"),
               cell(old_flag) if old_flag else "%.6g" % old,
               cell(new_flag) if new_flag else "%.6g" % new, ratio, mark))
    if flagged:
        print("(%d figures flagged: null, absent or incomplete in a build; no ratio)" % flagged)
    print("%d figures, %d outside %s" % (len(names), outside, tol))
    print("bench_compare: %.0f s" % (time.monotonic() - start), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
