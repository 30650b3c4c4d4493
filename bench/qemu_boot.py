"""QEMU benchmarks of booting (run by tools/bench.py).

Every `bench_*` function here takes a tools/bench.py Context and returns a
list of figures (dicts with at least name, value, unit; see tools/bench.py).
"""
import statistics


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
