"""Verification in the benchmarks can fail, and a failure reaches the figures
and the exit status: with --inject-corruption the host benchmarks that
verify their result damage it first (one byte of one mslab object, the tag
of one compacted page, one page of the SMP order-0 run kept), and their figures must come out null with "failed"
and the run exit 1, while the same run without it passes; the QEMU
compaction benchmark's reading of `frag verify` and `mmcheck` is checked
against a stand-in guest that answers wrongly. No QEMU boot; speed is never
asserted."""
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench"))
import bench  # noqa: E402  (tools/bench.py)
import qemu  # noqa: E402
import qemu_compact  # noqa: E402

HOST_BENCH = os.path.join(qemu.BUILD, "bench", "host_bench")


def _bench_py(tmp, *args):
    """Run tools/bench.py on host groups; return (status, stdout, figures)."""
    out = os.path.join(tmp, "results.json")
    proc = subprocess.run([sys.executable, os.path.join(qemu.ROOT, "tools", "bench.py"),
                           "--host-only", "--quick", "--out", out] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=300, env=dict(os.environ, O=qemu.BUILD))
    with open(out) as f:
        figures = {g["name"]: g for g in map(json.loads, f) if g}
    return proc.returncode, proc.stdout, figures


def test_bench_verify_mslab_corruption_fails_the_run(ctx):
    """One flipped byte past the 16th of one mslab survivor: both
    mslab_compact figures null with the reason, bench.py exits 1; clean,
    the same run passes with numbers."""
    assert os.path.exists(HOST_BENCH), "%s missing (make test builds it)" % HOST_BENCH
    with tempfile.TemporaryDirectory() as tmp:
        status, out, figs = _bench_py(tmp, "-k", "mslab_compact")
        assert status == 0, out
        assert figs["mslab_compact_pages_freed"]["value"] > 0, figs
        status, out, figs = _bench_py(tmp, "-k", "mslab_compact", "--inject-corruption")
    assert status == 1, out
    for name in ("mslab_compact_pages_freed", "mslab_compact_ms"):
        assert figs[name]["value"] is None and "lost content" in figs[name]["failed"], figs[name]
        assert "FAILED %s: " % name in out and "PROBLEM: %s: failed verification" % name in out, out


def test_bench_verify_compaction_corruption_fails_the_run(ctx):
    """One changed page tag after the contig_2m allocations and after each
    simulated compaction: every figure measured is null with the reason
    (the ratio too) and host_bench exits 1."""
    proc = subprocess.run([HOST_BENCH, "--quick", "--inject-corruption", "contig_2m",
                           "compact_sim"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    figs = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    failed = [f for f in figs if f.get("failed")]
    assert {f["name"] for f in failed} >= {"contig_2m_alloc_us_p99", "compact_ms_sim_1g",
                                           "compact_ms_sim_4g",
                                           "compact_ms_per_gib_ratio_64g_vs_1g"}, figs
    for f in figs:
        assert f["value"] is None and "ratio" not in f, f
        assert f.get("failed") or f.get("skipped"), f
    for f in failed:
        assert "lost their tag" in f["failed"], f
        assert bench.check_figure(f), f  # tools/bench.py counts it as a problem


def test_bench_verify_smp_order0_lost_page_fails_the_run(ctx):
    """One page kept through the check of the SMP order-0 benchmark (as if
    lost): its three figures null with the count that did not return, the
    ratio too, bench.py exits 1; clean, the same run passes with numbers."""
    with tempfile.TemporaryDirectory() as tmp:
        status, out, figs = _bench_py(tmp, "-k", "smp_order0")
        assert status == 0, out
        assert figs["order0_scaling_2t"]["value"] > 0 and "ratio" in figs["order0_scaling_2t"]
        status, out, figs = _bench_py(tmp, "-k", "smp_order0", "--inject-corruption")
    assert status == 1, out
    for name in ("order0_pair_ns_threads1", "order0_pair_ns_threads2", "order0_scaling_2t"):
        f = figs[name]
        assert f["value"] is None and "ratio" not in f, f
        assert "free pages after the rounds" in f["failed"], f
        assert "PROBLEM: %s: failed verification" % name in out, out


COMPACT_OUT = """compact: 2 MiB blocks 3 -> 50 in 120.500 ms
packing: 0 objects moved, 0 bytes copied, 0 mslab pages freed
2 MiB blocks: 3 -> 50, T 50; recovered_pct 100.00
moved 9000 pages, failed 0; moves_per_block 191.48 min_moves_per_block 190.00
scanned 30000 (migrate) 20000 (free), isolated 9000; by owner: mapped 9000
"""


class Guest:
    """Stands in for a tools/qemu.py Machine: canned monitor answers."""

    def __init__(self, answers):
        self.answers = answers

    def command(self, cmd, timeout=None):
        return self.answers[cmd]


def _figures_of(answers):
    """The four figures of one compaction whose guest gives `answers`, and
    the log line verify_after wrote."""
    log = io.StringIO()
    with contextlib.redirect_stderr(log):
        run = qemu_compact.verify_after(Guest(answers), qemu_compact.parse_compact(COMPACT_OUT),
                                        "stand-in")
    return qemu_compact.figures([run], "standard", "512m"), log.getvalue()


def test_bench_verify_qemu_compact_reads_the_answers(ctx):
    """A good `frag verify` and `mmcheck` give four numbers; one bad page or
    one violation turns all four into failures that tools/bench.py reports."""
    good = {"frag verify": "frag verify: 40000 mapped pages, 0 bad; mslab 0 objects, 0 bad\n",
            "mmcheck": "mm_check: 0 violations\n"}
    figs, log = _figures_of(good)
    assert log.startswith("qemu: verified stand-in: within T, no page failed; frag verify:"), log
    for f in figs:
        assert f["value"] is not None and not f.get("failed") and not bench.check_figure(f), f
    bad_page = dict(good, **{"frag verify": "frag verify: 40000 mapped pages, 1 bad; mslab 0 "
                                            "objects, 0 bad\nerror: frag verify: contents lost\n"})
    violation = dict(good, mmcheck="mm_check: pfn 0x1234: on a free list but not free\n"
                                   "mm_check: 1 violations\n")
    for answers, why in ((bad_page, "frag verify"), (violation, "mmcheck")):
        figs, log = _figures_of(answers)
        assert log.startswith("qemu: verified stand-in: FAILED: `%s`" % why), log
        assert len(figs) == 4, figs
        for f in figs:
            assert f["value"] is None and "ratio" not in f and why in f["failed"], f
            assert bench.check_figure(f), f
