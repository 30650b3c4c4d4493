"""QEMU benchmarks of booting (run by tools/bench.py).

Every `bench_*` function here takes a tools/bench.py Context and returns a
list of figures (dicts with at least name, value, unit; see tools/bench.py).
"""
import statistics

SMP_COUNTS = (1, 2, 4)


def bench_boot_to_ready(ctx):
    """Host-measured time from starting QEMU (BIOS, the standard devices of
    every boot) to the kernel's "ready in" line, median of 3 boots; and the
    kernel's own figure from that line (TSC time since its entry)."""
    host_ms, kernel_ms = [], []
    for i in range(ctx.boots):
        with ctx.machine(name="bench-boot") as m:
            host_ms.append(m.wait_ready(60) * 1000)
            kernel_ms.append(int(m.expect(" us", 10)[:-3].strip()) / 1000)
    return [
        {"name": "boot_to_ready_ms", "value": round(statistics.median(host_ms), 1), "unit": "ms",
         "runs": len(host_ms),
         "note": "QEMU start to the 'ready in' line, BIOS, TCG, host-measured"},
        {"name": "boot_to_ready_kernel_ms", "value": round(statistics.median(kernel_ms), 3),
         "unit": "ms",
         "runs": len(kernel_ms),
         "note": "what the kernel's 'ready in N us' line says (since kernel entry)"},
    ]


def bench_boot_to_ready_smp(ctx):
    """boot_to_ready_ms at 1, 2 and 4 CPUs (host-measured, median of the
    boots), each verified to have brought up every CPU (the boot line's
    count; a boot that did not is a failed figure, not a number). SMP=2 and
    SMP=4 have SMP=1 of the same run as their baseline. On this 2-core
    host SMP=4 oversubscribes: a correctness figure, not a speed one."""
    med, failed = {}, {}
    for n in SMP_COUNTS:
        times = []
        for i in range(ctx.boots):
            with ctx.machine(name="bench-boot-smp%d" % n, smp=n) as m:
                times.append(m.wait_ready(60) * 1000)
                want = "smp: %d CPUs online" % n
                if want not in m.output:
                    failed[n] = "the boot did not say %r" % want
        med[n] = round(statistics.median(times), 1)
    out = []
    for n in SMP_COUNTS:
        fig = {"name": "boot_to_ready_ms_smp%d" % n, "unit": "ms", "runs": ctx.boots,
               "note": "QEMU start to 'ready in', -smp %d, BIOS, TCG, host-measured%s" %
                       (n, "; oversubscribes 2 host cores" if n > 2 else "")}
        if n in failed:
            fig.update(value=None, failed=failed[n])
        else:
            fig["value"] = med[n]
            if n > 1 and 1 not in failed:
                fig.update(baseline=med[1], ratio=round(med[n] / med[1], 4))
        out.append(fig)
    return out
