#!/usr/bin/env python3
"""`make bench`: run the benchmarks, save their figures, print one table.

Two kinds of benchmark feed it:
  - host: the binaries build/bench/host_bench (bench/*.c; -O2, no sanitizers)
    and build/bench/smp_order0_bench (bench/smp_order0_bench.c with the same
    harness over mm/ built with MM_HOST_SMP=1: pthreads as CPUs), which print
    one JSON object per line on stdout;
  - QEMU: every `bench_*` function of the bench/qemu_*.py modules, called with
    a Context (boots machines through tools/qemu.py) and returning a list of
    figures.

Results: build/bench/results.json (--out), JSON lines, one object per figure,
in the order measured, rewritten by every run:

  {"name": "order0_pair_ns", "value": 9.1, "unit": "ns", "runs": 31, "source": "host"}

  name      figure name, unique; the unit is the last part when it is one
  value     number, or null when the figure was skipped ("skipped" says why)
  unit      "ns", "us", "ms", "MiB", "bytes", "pages", "%", "x" (a ratio)
  baseline  optional: the same quantity for a baseline measured in the same
            run (in "baseline_unit" when that differs from unit) ...
  ratio     ... and value / baseline (for "x" figures value == ratio)
  runs      optional: repetitions behind the median
  note      optional: what exactly was measured
  skipped   optional: why value is null
  failed    optional: why value is null because the workload failed its
            verification afterwards (contents, mm_check, a figure above its
            own maximum); such a figure has no baseline or ratio, and the
            run exits non-zero
  quick     optional: true for --quick runs (numbers that mean nothing)
  source    "host" or "qemu"

Data for pictures goes beside results.json: contig_2m_latencies.json (the
host bench contig_2m, one latency per allocation) and compact_picture.json
(bench/qemu_compact.py: the `picture` and `buddyinfo` of a guest before and
after `compact`). tools/plots.py, run by /usr/bin/python3 when it has
matplotlib, turns them into picture.png, free_orders.png and
contig_2m_latency.png there; a plotting problem is printed, never fatal.

Timed results never fail the run: the exit status is 1 only when a benchmark
broke (crashed, printed malformed output), or a workload failed its
verification (a figure with "failed": contents lost, mm_check violations, a
recovered count above T).

Usage: bench.py [--quick] [--host-only] [--out FILE] [-k SUBSTRING] [--inject-corruption]
  --quick      short runs and few boots: proves the harness works
  --host-only  skip the QEMU benchmarks
  -k S         only host groups starting with S / QEMU functions containing S
  --inject-corruption
               for tests of the verification (tests/qemu/test_bench_verify.py):
               host_bench damages the result of every verified workload, whose
               figures must then come out failed and the run exit 1
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ["O"] = os.path.abspath(os.environ.get("O") or os.path.join(ROOT, "build"))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import qemu  # noqa: E402
from discover import discover  # noqa: E402

HOST_BENCH = os.path.join(qemu.BUILD, "bench", "host_bench")
SMP_BENCH = os.path.join(qemu.BUILD, "bench", "smp_order0_bench")
HOST_BENCHES = (HOST_BENCH, SMP_BENCH)
REQUIRED = {"name": str, "unit": str}


class Context:
    """What a QEMU benchmark gets: how hard to try and a machine factory."""

    def __init__(self, quick, out_dir):
        self.quick = quick
        self.boots = 1 if quick else 3
        self.out_dir = out_dir  # where data for pictures goes (beside results.json)

    def machine(self, cmdline="", **kw):
        kw.setdefault("name", "bench")
        return qemu.Machine(cmdline, **kw)


def check_figure(fig):
    """Return a list of problems with one figure (empty when well-formed)."""
    if not isinstance(fig, dict):
        return ["not a JSON object: %r" % (fig,)]
    errs = ["%s: missing or not %s" % (k, t.__name__) for k, t in REQUIRED.items()
            if not isinstance(fig.get(k), t)]
    v = fig.get("value", "absent")
    if fig.get("failed"):
        errs.append("failed verification: %s" % fig["failed"])
        if v is not None or "ratio" in fig:
            errs.append("a failed figure must have a null value and no ratio")
    elif v is None:
        if not fig.get("skipped"):
            errs.append("value is null but nothing says why (skipped)")
    elif isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        errs.append("value: %r is not a finite number" % (v,))
    if ("baseline" in fig) != ("ratio" in fig):
        errs.append("baseline and ratio go together")
    return ["%s: %s" % (fig.get("name", "?"), e) for e in errs]


def run_host(args):
    """Run the host benchmark binaries; return (figures, problems)."""
    figures, problems = [], []
    for exe in HOST_BENCHES:
        f, p = run_host_binary(args, exe)
        figures += f
        problems += p
    return figures, problems


def run_host_binary(args, exe):
    """Run one host benchmark binary; return (figures, problems)."""
    name = os.path.basename(exe)
    if not os.path.exists(exe):
        return [], ["%s is missing: run `make bench`" % exe]
    cmd = ([exe] + (["--quick"] if args.quick else []) +
           (["--inject-corruption"] if args.inject_corruption else []) +
           ([args.k] if args.k else []))
    env = dict(os.environ, BENCH_DATA_DIR=out_dir(args))
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=env)  # stderr: progress
    figures, problems = [], []
    for line in proc.stdout.splitlines():
        if not line.strip():
            continue
        try:
            fig = json.loads(line)
        except ValueError as e:
            problems.append("%s printed a non-JSON line %r (%s)" % (name, line, e))
            continue
        problems += check_figure(fig)
        fig["source"] = "host"
        figures.append(fig)
    if proc.returncode:
        problems.append("%s exited with status %d" % (name, proc.returncode))
    return figures, problems


def qemu_benches():
    return discover(os.path.join(ROOT, "bench"), "qemu_", "bench_")


def run_qemu(args):
    figures, problems = [], []
    if not os.path.exists(qemu.KERNEL):
        return [], ["%s is missing: run `make bench`" % qemu.KERNEL]
    for name, fn in qemu_benches():
        if args.k and args.k not in name:
            continue
        print("qemu: %s" % name, file=sys.stderr, flush=True)
        try:
            got = fn(Context(args.quick, out_dir(args)))
        except Exception as e:  # one broken benchmark must not hide the others
            traceback.print_exc()
            problems.append("%s: %s" % (name, str(e).splitlines()[0] if str(e) else repr(e)))
            continue
        for fig in got:
            problems += check_figure(fig)
            if args.quick:
                fig["quick"] = True
            fig["source"] = "qemu"
            figures.append(fig)
    return figures, problems


def out_dir(args):
    d = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(d, exist_ok=True)
    return d


def plot(args):
    """Draw the pictures from the data this run left (tools/plots.py); a
    failure is reported, never fatal."""
    py = "/usr/bin/python3"
    try:
        ok = subprocess.run([py, "-c", "import matplotlib"], stderr=subprocess.DEVNULL,
                            timeout=60).returncode == 0
    except OSError:
        ok = False
    if not ok:
        print("plots: skipped: %s with matplotlib is missing (tools/deps.sh installs "
              "python3-matplotlib)" % py)
        return
    try:
        proc = subprocess.run([py, os.path.join(ROOT, "tools", "plots.py"), "bench",
                               out_dir(args)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=300)
        print(proc.stdout.rstrip())
        if proc.returncode:
            print("plots: FAILED (status %d); the figures above are unaffected" %
                  proc.returncode)
    except (OSError, subprocess.SubprocessError) as e:
        print("plots: FAILED (%s); the figures above are unaffected" % e)


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) < 1e15):
        return "%d" % v
    return "%.4g" % v


def table(figures):
    rows = [("figure", "value", "unit", "baseline", "ratio")]
    for f in figures:
        base = "-"
        if "baseline" in f:
            base = fmt(f["baseline"])
            if f.get("baseline_unit"):
                base += " " + f["baseline_unit"]
        value = ("FAILED" if f.get("failed") else "skipped" if f.get("skipped")
                 else fmt(f.get("value")))
        rows.append((f["name"], value, f.get("unit", "?"), base,
                     fmt(f["ratio"]) if "ratio" in f else "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for i, r in enumerate(rows):
        out.append("  ".join(c.ljust(w) if j == 0 else c.rjust(w)
                             for j, (c, w) in enumerate(zip(r, widths))).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    for f in figures:
        if f.get("failed"):
            out.append("FAILED %s: %s" % (f["name"], f["failed"]))
        elif f.get("skipped"):
            out.append("skipped %s: %s" % (f["name"], f["skipped"]))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--host-only", action="store_true")
    ap.add_argument("--out", default=os.path.join(qemu.BUILD, "bench", "results.json"))
    ap.add_argument("-k")
    ap.add_argument("--inject-corruption", action="store_true")
    args = ap.parse_args()
    start = time.monotonic()
    figures, problems = run_host(args)
    if not args.host_only:
        f, p = run_qemu(args)
        figures += f
        problems += p
    names = [f.get("name") for f in figures]
    problems += ["figure %s reported twice" % n for n in sorted(set(names))
                 if names.count(n) > 1]
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as out:
        for fig in figures:
            out.write(json.dumps(fig) + "\n")
    os.replace(tmp, args.out)
    print(table(figures))
    shown = os.path.relpath(args.out)
    if shown.startswith(".."):
        shown = os.path.abspath(args.out)
    print("%d figures in %s (%.0f s)%s" % (len(figures), shown,
                                           time.monotonic() - start,
                                           " [quick: numbers mean nothing]" if args.quick else ""))
    plot(args)
    for p in problems:
        print("PROBLEM: %s" % p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
