#!/usr/bin/env python3
"""`make test`: every test stage, their times, and one closing line.

Stages: host unit tests (KTAP from build/host-test), the concurrent host
suites under ThreadSanitizer (build/tsan/host-test: any report fails), a fuzz smoke run (each
libFuzzer target of tests/fuzz/ replays its regression inputs and fuzzes for
a few seconds: one test per target, failed when it crashes or ran no input
or stopped early; one failed test when clang cannot link libFuzzer, which
tools/deps.sh installs: nothing is skipped), in-kernel KTAP suites in QEMU (BIOS), the same once under UEFI
(OVMF), the same once more on the UBSAN=1 kernel followed by a shell workload
(any undefined-behaviour report fails), then the end-to-end tests in
tests/qemu/ (each a `test_*` function taking a Context). Every stage prints its
time against its budget. The last line is exactly "N passed, N failed"
(host + kernel cases + end-to-end tests); the exit status is 1 on any failure.

Options: --kernel-only (only the BIOS KTAP stage), --suites LIST,
--stage NAME (run only that stage: host, tsan, fuzz, ktap-bios, ktap-uefi, ubsan, e2e),
-k SUBSTRING (only end-to-end tests whose name contains it).
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzz  # noqa: E402
import ktap  # noqa: E402
import qemu  # noqa: E402
from discover import discover  # noqa: E402

# Budgets (seconds) keep the whole run under 15 minutes as the project grows;
# a stage over budget is reported (not failed: machines are shared and noisy).
# Seconds per fuzz target in the smoke stage (plus its regression inputs).
FUZZ_SMOKE_S = 3
BUDGETS = {"host": 120, "tsan": 60, "fuzz": 150, "ktap-bios": 180, "ktap-uefi": 180, "ubsan": 120,
           "e2e": 360}


class Totals:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def add(self, passed, failed):
        self.passed += passed
        self.failed += failed


def stage_host(totals, args):
    exe = os.path.join(qemu.BUILD, "host-test")
    proc = subprocess.run([exe, args.suites], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    log = os.path.join(qemu.BUILD, "host-test.log")
    with open(log, "w") as f:
        f.write(proc.stdout)
    res = ktap.parse(proc.stdout)
    if proc.returncode != 0 and not res.failed:
        res.errors.append("host-test exited with %d (see %s)" % (proc.returncode, log))
    if proc.returncode < 0 or res.errors:
        sys.stdout.write(proc.stdout[-3000:])
    ktap.report(res, "host")
    totals.add(res.passed, res.failed)


TSAN_EXE = os.path.join(qemu.BUILD, "tsan", "host-test")
# The concurrent suites: tests/host/smp_*_test.c, as the Makefile's TSANSUITES.
TSAN_SUITES = ",".join(sorted(os.path.basename(p)[:-len("_test.c")] for p in
                              glob.glob(os.path.join(qemu.ROOT, "tests", "host", "smp_*_test.c"))))
# A report stops the run (exit status 66); known races left to their owners
# are suppressed in tests/host/tsan.supp.
TSAN_OPTIONS = ("halt_on_error=1 second_deadlock_stack=1 suppressions=%s" %
                os.path.join(qemu.ROOT, "tests", "host", "tsan.supp"))


def stage_tsan(totals, args):
    """The ThreadSanitizer runner (built by `make test`): its KTAP counts,
    and one more failure for every "WARNING: ThreadSanitizer" report."""
    if not os.path.exists(TSAN_EXE):
        print("FAIL tsan: %s is missing (make tsan)" % TSAN_EXE)
        totals.add(0, 1)
        return
    env = dict(os.environ, TSAN_OPTIONS=TSAN_OPTIONS)
    proc = subprocess.run([TSAN_EXE, TSAN_SUITES], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, env=env)
    log = os.path.join(qemu.BUILD, "tsan", "host-test.log")
    with open(log, "w") as f:
        f.write(proc.stdout)
    res = ktap.parse(proc.stdout)
    summaries = [line for line in proc.stdout.splitlines()
                 if line.startswith("SUMMARY: ThreadSanitizer")]
    reports = proc.stdout.count("WARNING: ThreadSanitizer")
    for i in range(reports):  # one failure each
        res.errors.append("%s (see %s)" % (summaries[i] if i < len(summaries) else
                                           "WARNING: ThreadSanitizer report", log))
    if not reports and proc.returncode != 0 and not res.failed:
        res.errors.append("tsan host-test exited with %d (see %s)" % (proc.returncode, log))
    if proc.returncode < 0 or res.errors:
        sys.stdout.write(proc.stdout[-3000:])
    ktap.report(res, "tsan")
    totals.add(res.passed, res.failed)


def stage_fuzz(totals, args):
    why = fuzz.available()
    if why:
        print("FAIL fuzz: %s" % why)
        totals.add(0, 1)
        return
    proc = subprocess.run(["make", "-C", qemu.ROOT, "O=" + qemu.BUILD, "fuzz-build"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout[-3000:])
        print("FAIL fuzz: make fuzz-build failed")
        totals.add(0, 1)
        return
    passed = failed = 0
    for name in fuzz.targets():
        res = fuzz.run_target(qemu.BUILD, name, seconds=FUZZ_SMOKE_S)
        fuzz.report(res)
        if res.failed:
            failed += 1
        else:
            passed += 1
    print("fuzz: %d passed, %d failed" % (passed, failed))
    totals.add(passed, failed)


def retry_if_qemu_crashes(label, fn):
    """Run fn(); if QEMU itself dies of a signal (not the guest: a QEMU bug,
    README "Targets"), say so and run it once more. A second crash fails."""
    try:
        return fn()
    except qemu.QemuCrashed as e:
        print("RETRY %s: %s" % (label, str(e).splitlines()[0]), flush=True)
        return fn()


def run_kernel_ktap(totals, label, uefi, suites, timeout=600, kernel=qemu.KERNEL, smp=1):
    """Boot @kernel on @smp CPUs with test=@suites, count its KTAP results;
    return the serial output."""
    def boot():
        m = qemu.Machine("test=%s" % suites, uefi=uefi, qmp=False, name=label,
                         kernel=kernel, smp=smp)
        try:
            return m, m.wait_exit(timeout)
        except TimeoutError as e:
            print("FAIL %s: %s" % (label, str(e).splitlines()[0]))
            return m, None
        except BaseException:
            m.close()
            raise

    m, status = retry_if_qemu_crashes(label, boot)
    with m:
        res = ktap.parse(m.output)
        if status != qemu.EXIT_SUCCESS and not res.failed:
            res.errors.append("QEMU exit status %s, expected %d (log: %s)" %
                              (status, qemu.EXIT_SUCCESS, m.log_path))
        if res.errors:
            print(m.output[-3000:])
        ktap.report(res, label)
        totals.add(res.passed, res.failed)
        return m.output


# The KTAP suites run on 1, 2 and 4 CPUs under BIOS, on 2 under UEFI and
# UBSan; the end-to-end tests on 2 (SMP=4 oversubscribes this machine's two
# host cores: a correctness run, never a timing one).
KTAP_BIOS_SMP = (1, 2, 4)
E2E_SMP = 2


def stage_ktap_bios(totals, args):
    for smp in KTAP_BIOS_SMP:
        run_kernel_ktap(totals, "ktap-bios-smp%d" % smp, False, args.suites, smp=smp)


def stage_ktap_uefi(totals, args):
    run_kernel_ktap(totals, "ktap-uefi-smp2", True, args.suites, smp=2)


UBSAN_KERNEL = os.path.join(qemu.BUILD, "ubsan", "kernel.elf")
# Each workload command with a pattern its answer must match (and no answer
# may hold an `error:` or `usage:` line): a workload whose results are not
# read would pass whatever it did.
UBSAN_WORKLOAD = (
    ("frag mixed", r"^frag mixed: [1-9]\d* mapped pages kept"),
    ("compact", r"recovered_pct \d+\.\d+"),
    ("frag verify", r"^frag verify: [1-9]\d* mapped pages, 0 bad; mslab [1-9]\d* objects, 0 bad$"),
    ("frag clear", r"^cleared: 2 MiB blocks free \d+"),
    ("mslab alloc 2000", r"^mslab: allocated 2000 objects"),
    ("mslab free", r"^mslab: freed [1-9]\d* objects"),
    ("mslab compact", r"^mslab: compaction freed \d+ pages"),
    ("mslab verify", r"^mslab: [1-9]\d* objects verified, 0 bad$"),
    ("mslab free all", r"^mslab: freed [1-9]\d* objects, 0 held$"),
    ("mmcheck", r"^mm_check: 0 violations$"),
)


def check_answer(cmd, pattern, out):
    """Return None if @out answers @cmd as @pattern says, else the reason."""
    bad = [line for line in out.splitlines() if line.startswith(("error:", "usage:"))]
    if bad:
        return "%r answered %r" % (cmd, bad[0])
    if not re.search(pattern, out, re.M):
        return "%r: no /%s/ in %r" % (cmd, pattern, out[-500:])
    return None


def stage_ubsan(totals, args):
    """The `make UBSAN=1` kernel (built by `make test` into build/ubsan): the
    KTAP suites, then a workload from the shell. Every `ubsan:` line, except
    those the ubsan suite provokes in kernel/ubsan_test.c, is one failure."""
    if not os.path.exists(UBSAN_KERNEL):
        print("FAIL ubsan: %s is missing (make UBSAN=1 O=build/ubsan kernel)" % UBSAN_KERNEL)
        totals.add(0, 1)
        return
    out = run_kernel_ktap(totals, "ktap-ubsan-smp2", False, args.suites, kernel=UBSAN_KERNEL,
                          smp=2)
    wrong = []
    with qemu.Machine("", qmp=False, name="ubsan-workload", kernel=UBSAN_KERNEL, smp=2) as m:
        m.wait_ready(60)
        m.expect("> ", 10)
        for cmd, pattern in UBSAN_WORKLOAD:
            why = check_answer(cmd, pattern, m.command(cmd, 300))
            if why:
                wrong.append(why)
        out += m.output
    for why in wrong:
        print("FAIL ubsan workload: %s" % why)
    reports = [line for line in out.splitlines()
               if "ubsan:" in line and "kernel/ubsan_test.c" not in line]
    for line in reports:
        print("FAIL ubsan: %s" % line.strip())
    print("ubsan: %d undefined-behaviour report%s outside the ubsan suite; workload: %s%s" %
          (len(reports), "" if len(reports) == 1 else "s",
           ", ".join(c for c, _ in UBSAN_WORKLOAD), "" if not wrong else " (answers wrong)"))
    totals.add(0 if reports or wrong else 1, len(reports) + (1 if wrong else 0))


class Context:
    """What an end-to-end test gets: helpers to boot machines."""

    def machine(self, cmdline="", **kw):
        kw.setdefault("name", "e2e")
        kw.setdefault("smp", E2E_SMP)
        return qemu.Machine(cmdline, **kw)


def load_e2e_tests():
    return discover(os.path.join(qemu.ROOT, "tests", "qemu"), "test_", "test_")


def stage_e2e(totals, args):
    passed = failed = 0
    for name, fn in load_e2e_tests():
        if args.k and args.k not in name:
            continue
        start = time.monotonic()
        try:
            retry_if_qemu_crashes(name, lambda: fn(Context()))
            passed += 1
            print("ok   %s (%.1f s)" % (name, time.monotonic() - start))
        except Exception as e:  # a failing test must not stop the others
            failed += 1
            print("FAIL %s (%.1f s): %s" % (name, time.monotonic() - start, e))
            if not isinstance(e, (AssertionError, TimeoutError, EOFError)):
                traceback.print_exc()
    print("e2e: %d passed, %d failed" % (passed, failed))
    totals.add(passed, failed)


STAGES = [("host", stage_host), ("tsan", stage_tsan), ("fuzz", stage_fuzz), ("ktap-bios", stage_ktap_bios),
          ("ktap-uefi", stage_ktap_uefi), ("ubsan", stage_ubsan), ("e2e", stage_e2e)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel-only", action="store_true")
    ap.add_argument("--suites", default="all")
    ap.add_argument("--stage", action="append")
    ap.add_argument("-k")
    args = ap.parse_args()
    wanted = args.stage or (["ktap-bios"] if args.kernel_only else [s for s, _ in STAGES])
    totals = Totals()
    overall = time.monotonic()
    times = []
    for name, fn in STAGES:
        if name not in wanted:
            continue
        print("=== stage %s" % name, flush=True)
        start = time.monotonic()
        fn(totals, args)
        took = time.monotonic() - start
        times.append((name, took))
        over = " OVER BUDGET" if took > BUDGETS[name] else ""
        print("=== stage %s: %.1f s (budget %d s)%s" % (name, took, BUDGETS[name], over),
              flush=True)
    print("=== stage times: %s; total %.1f s" %
          (", ".join("%s %.1f s" % t for t in times), time.monotonic() - overall))
    print("%d passed, %d failed" % (totals.passed, totals.failed))
    return 1 if totals.failed else 0


if __name__ == "__main__":
    sys.exit(main())
