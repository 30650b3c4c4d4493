"""QEMU benchmarks timed inside the kernel (run by tools/bench.py).

`bench` on the kernel command line (`bench=quick` for --quick) runs the
kernel's benchmarks after boot (kernel/bench_kernel.c), which print every
figure as one line `BENCH {...}` (a figure dict as tools/bench.py describes)
and power off with success when all of them ran, the migrated region kept
its contents and kernel_mm passed mm_check; otherwise every figure it
printed is reported failed (null, with its `bench:` error lines). The
kernel repeats each measurement and reports medians: TCG timing is noisy.
The guest has two CPUs (SMP), for the cross-call and shootdown figures
(ipi_roundtrip_ns, tlb_shootdown_all_ns; null with a reason on one CPU) and
order-0 allocation on both at once (kernel_order0_pair_ns_smp2, against
kernel_order0_pair_ns_smp1 on one in the same boot: kernel/bench_order0.c).
"""
import json

import qemu

PREFIX = "BENCH "


def parse_bench_lines(output):
    """The figures of every BENCH line in `output`, in order."""
    figures = []
    for line in output.splitlines():
        if line.startswith(PREFIX):
            try:
                figures.append(json.loads(line[len(PREFIX):]))
            except ValueError as e:
                raise RuntimeError("malformed BENCH line %r: %s" % (line, e))
    return figures


SMP = 2


def bench_kernel(ctx):
    """Page-copy variants, memcpy, mapped-page migration, a cross-call round
    trip, a TLB shootdown of every CPU and order-0 pairs on one CPU and on
    two at once, TSC-timed in the kernel under TCG on SMP CPUs."""
    cmdline = "bench=quick" if ctx.quick else "bench"
    with ctx.machine(cmdline, name="bench-kernel", qmp=False, smp=SMP) as m:
        status = m.wait_exit(120)
        output = m.output
    figures = parse_bench_lines(output)
    if status != qemu.EXIT_SUCCESS and not figures:
        raise RuntimeError("kernel benchmarks exited with status %s; last output:\n%s" %
                           (status, output[-2000:]))
    if not figures:
        raise RuntimeError("the kernel printed no BENCH line:\n%s" % output[-2000:])
    if status != qemu.EXIT_SUCCESS:
        return fail_all(figures, status, output)
    return figures


def fail_all(figures, status, output):
    """The kernel printed figures, then a check failed (the mapped region's
    contents or moves, mm_check): none of them is a number."""
    said = [line[line.index("bench: "):].strip() for line in output.splitlines()
            if "bench: " in line and not line.startswith(PREFIX)]  # after printk's time
    why = "the kernel benchmarks failed (exit status %s): %s" % (
        status, "; ".join(said) or "no `bench:` line")
    for f in figures:
        f["value"] = None
        f.pop("baseline", None)
        f.pop("ratio", None)
        f["failed"] = why
    return figures
