#!/usr/bin/env python3
"""Run the libFuzzer targets (tests/fuzz/fuzz_NAME.c, built by `make fuzz-build`).

For each target: replay its regression inputs (tests/fuzz/regressions/NAME/,
inputs that once crashed), then fuzz for --seconds (or --runs inputs) on a
working corpus, build/fuzz/corpus/NAME, seeded from tests/fuzz/corpus/NAME
(new inputs stay in build/, never in the repository). Crash inputs go to
build/fuzz/artifacts/NAME/, the log to build/fuzz/NAME.log. Prints one line
per target (execs, execs/s, ok, CRASH or INCOMPLETE) and the total execs;
the exit status is 1 when any target failed. A run passes only when it
executed inputs and lasted its planned time (a run of 0 execs, or one that
stopped early, tested nothing: INCOMPLETE); clang that cannot link libFuzzer
is a failure too (tools/deps.sh installs it: LIBFUZZER_PKG).

Used by `make fuzz FUZZ_S=60` and by the `fuzz` stage of tools/testrun.py.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUZZ_DIR = os.path.join(ROOT, "tests", "fuzz")
FUZZCC = os.environ.get("FUZZCC", "clang")
LIBFUZZER_PKG = "libclang-rt-14-dev"


def targets():
    """Names of the targets in tests/fuzz/ (fuzz_NAME.c, not fuzz_common.c)."""
    names = []
    for f in sorted(os.listdir(FUZZ_DIR)):
        m = re.match(r"fuzz_(\w+)\.c$", f)
        if m and m.group(1) != "common":
            names.append(m.group(1))
    return names


def available():
    """None when clang can build and link a libFuzzer program, else why not."""
    if not shutil.which(FUZZCC):
        return "%s not found (tools/deps.sh installs clang)" % FUZZCC
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "t.c")
        with open(src, "w") as f:
            f.write("#include <stddef.h>\n#include <stdint.h>\n"
                    "int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)"
                    "{ (void)d; (void)n; return 0; }\n")
        proc = subprocess.run([FUZZCC, "-fsanitize=fuzzer,address,undefined", src, "-o",
                               os.path.join(d, "t")], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            return "%s cannot link libFuzzer (package %s, installed by tools/deps.sh): %s" % (
                FUZZCC, LIBFUZZER_PKG, proc.stdout.strip()[-300:])
    return None


class Result:
    def __init__(self, name):
        self.name = name
        self.execs = 0
        self.execs_per_s = 0
        self.regressions = 0
        self.status = "ok"      # or CRASH, INCOMPLETE
        self.reason = ""
        self.log = ""

    @property
    def failed(self):
        return self.status != "ok"

    def fail(self, status, reason):
        self.status = status
        self.reason = reason


def _files(d):
    if not os.path.isdir(d):
        return []
    return sorted(os.path.join(d, f) for f in os.listdir(d)
                  if os.path.isfile(os.path.join(d, f)))


def _run(cmd, log, timeout):
    env = dict(os.environ)
    env.setdefault("MM_HOST_LOG", "off")
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, errors="replace", env=env, timeout=timeout)
        out, rc = proc.stdout, proc.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) \
            else (e.stdout or "")
        out, rc = out + "\n(killed after %d s)\n" % timeout, -9
    log.write("$ %s\n%s\n" % (" ".join(cmd), out))
    return rc, out


def run_target(build, name, seconds=None, runs=None):
    """Replay the regressions of @name, then fuzz it. Return: a Result."""
    res = Result(name)
    fuzz = os.path.join(build, "fuzz")
    exe = os.path.join(fuzz, "fuzz_" + name)
    res.log = os.path.join(fuzz, name + ".log")
    work = os.path.join(fuzz, "corpus", name)
    arts = os.path.join(fuzz, "artifacts", name) + os.sep
    os.makedirs(work, exist_ok=True)
    os.makedirs(arts, exist_ok=True)
    for f in _files(os.path.join(FUZZ_DIR, "corpus", name)):
        shutil.copy(f, work)
    limit = (seconds or 10) * 3 + 60
    with open(res.log, "w") as log:
        regs = _files(os.path.join(FUZZ_DIR, "regressions", name))
        res.regressions = len(regs)
        if regs:
            rc, out = _run([exe, "-artifact_prefix=" + arts] + regs, log, limit)
            if rc != 0:
                res.fail("CRASH", "a regression input crashes again")
                return res
        cmd = [exe, "-print_final_stats=1", "-timeout=20", "-artifact_prefix=" + arts]
        cmd += ["-runs=%d" % runs] if runs else ["-max_total_time=%d" % seconds]
        rc, out = _run(cmd + [work], log, limit)
    m = re.search(r"stat::number_of_executed_units:\s*(\d+)", out)
    res.execs = int(m.group(1)) if m else 0
    m = re.search(r"stat::average_exec_per_sec:\s*(\d+)", out)
    res.execs_per_s = int(m.group(1)) if m else 0
    if rc != 0:
        m = re.search(r"Test unit written to (\S+)", out)
        res.fail("CRASH", "crash input %s" % m.group(1) if m else "exit status %d" % rc)
    else:
        short = incomplete(res, out, seconds, runs)
        if short:
            res.fail("INCOMPLETE", short)
    return res


def incomplete(res, out, seconds, runs):
    """Why a run that exited 0 tested less than planned, or None."""
    if res.execs == 0:
        return "0 execs"
    m = re.search(r"Done (\d+) runs in (\d+) second", out)
    if not m:
        return "no 'Done N runs in S seconds' line"
    if runs and int(m.group(1)) < runs:
        return "%s of %d runs" % (m.group(1), runs)
    if not runs and int(m.group(2)) < seconds:
        return "stopped after %s of %d s" % (m.group(2), seconds)
    return None


def report(res):
    status = "%s (%s; log %s)" % (res.status, res.reason, res.log) if res.failed else "ok"
    print("%-10s %10d execs %8d execs/s  %d regressions  %s" %
          (res.name, res.execs, res.execs_per_s, res.regressions, status), flush=True)
    if res.failed:
        with open(res.log) as f:
            tail = f.read()[-2500:]
        sys.stdout.write(tail + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("O", os.path.join(ROOT, "build")))
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--runs", type=int, help="inputs per target instead of --seconds")
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    why = available()
    if why:
        print("fuzz: FAIL: %s" % why)
        return 1
    results = []
    for name in args.names or targets():
        res = run_target(args.build, name, args.seconds, args.runs)
        report(res)
        results.append(res)
    failed = ["%s (%s)" % (r.name, r.status) for r in results if r.failed]
    print("fuzz: %d targets, %d execs in total, %s" %
          (len(results), sum(r.execs for r in results),
           "failed: " + ", ".join(failed) if failed else "all ok"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
