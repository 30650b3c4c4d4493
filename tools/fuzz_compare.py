#!/usr/bin/env python3
"""Compare the fuzzing speed of two builds of the libFuzzer targets, with a
fixed protocol (docs/benchmarks.md, "Fuzzing speed"):

  - the old build is git revision --old (default af3780d, before the checkers
    were built without coverage), exported with `git archive` into
    build/fuzz-compare/REV/ and built there with `make fuzz-build`; the new
    build is this tree's (`make fuzz-build`);
  - per target, old then new, one after the other, --repeat times: the
    committed corpus tests/fuzz/corpus/NAME copied fresh into a temporary
    directory, then the target run for --seconds with -max_len=--max-len,
    -seed=1, -timeout=20 and no regression inputs;
  - execs/s is libFuzzer's stat::average_exec_per_sec; the table shows the
    median of the repeats (a shared machine's load moves single runs by
    a third).

Prints one Markdown table row per target (old, new, ratio). Usage:
    tools/fuzz_compare.py [--old REV] [--seconds 5] [--repeat 3] [--max-len 4096] [NAME...]
(`make fuzz-compare` runs it with the defaults.) Run it with `nice` on a
shared machine: both builds see the same load only when run back to back.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzz  # noqa: E402

ROOT = fuzz.ROOT


def build(tree, out):
    """`make fuzz-build` in @tree with O=@out; exit on failure."""
    proc = subprocess.run(["make", "-C", tree, "O=" + out, "fuzz-build"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout[-3000:])
        sys.exit("fuzz_compare: make fuzz-build failed in %s" % tree)


def old_build(rev, base):
    """Export @rev into @base/REV and build its fuzz targets. Return: the build dir."""
    tree = os.path.join(base, rev)
    if not os.path.isdir(tree):
        os.makedirs(tree)
        archive = subprocess.run(["git", "-C", ROOT, "archive", rev], stdout=subprocess.PIPE,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", tree], input=archive, check=True)
    out = os.path.join(tree, "build")
    build(tree, out)
    return out


def execs_per_s(exe, name, seconds, max_len):
    """Fuzz @name with @exe on a fresh copy of its committed corpus.
    Return: (execs/s, execs), or (None, why) when the run failed."""
    with tempfile.TemporaryDirectory() as d:
        corpus = os.path.join(d, "corpus")
        shutil.copytree(os.path.join(fuzz.FUZZ_DIR, "corpus", name), corpus)
        cmd = [exe, "-print_final_stats=1", "-timeout=20", "-seed=1",
               "-max_len=%d" % max_len, "-max_total_time=%d" % seconds,
               "-artifact_prefix=" + d + os.sep, corpus]
        env = dict(os.environ, MM_HOST_LOG="off")
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, errors="replace", env=env, timeout=seconds * 3 + 60)
    rate = re.search(r"stat::average_exec_per_sec:\s*(\d+)", proc.stdout)
    runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", proc.stdout)
    if proc.returncode != 0 or not rate:
        return None, "exit status %d" % proc.returncode
    return int(rate.group(1)), int(runs.group(1))


def median(runs):
    """The median (execs/s, execs) of @runs, or the first failure."""
    for r in runs:
        if r[0] is None:
            return r
    return sorted(runs)[len(runs) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", default="af3780d", help="git revision of the old build")
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--max-len", type=int, default=4096)
    ap.add_argument("--build", default=os.environ.get("O", os.path.join(ROOT, "build")))
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)  # make -C runs the old build elsewhere
    old = old_build(args.old, os.path.join(args.build, "fuzz-compare"))
    build(ROOT, args.build)
    print("protocol: committed corpus copied fresh, -max_len=%d, -seed=1, %d s per run, "
          "old (%s) then new, one target at a time, median of %d" %
          (args.max_len, args.seconds, args.old, args.repeat))
    print("| target | old execs/s | new execs/s | new / old |")
    print("|---|---:|---:|---:|")
    failed = False
    for name in args.names or fuzz.targets():
        runs = ([], [])
        for _ in range(args.repeat):
            for i, b in enumerate((old, args.build)):
                exe = os.path.join(b, "fuzz", "fuzz_" + name)
                runs[i].append(execs_per_s(exe, name, args.seconds, args.max_len)
                               if os.path.exists(exe) else (None, "no such target"))
        rates = [median(r) for r in runs]
        cells = [str(r) if r is not None else "FAIL (%s)" % why for r, why in rates]
        ratio = "%.1f×" % (rates[1][0] / rates[0][0]) \
            if rates[0][0] and rates[1][0] is not None else "-"
        failed |= rates[1][0] is None
        print("| %s | %s | %s | %s |" % (name, cells[0], cells[1], ratio), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
