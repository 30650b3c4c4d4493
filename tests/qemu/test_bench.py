"""The benchmark harness must not rot: `tools/bench.py --quick` (the host
binary in quick mode plus a few boots) runs and writes well-formed JSON lines
with every figure the benchmarks promise. Speed is never asserted here:
numbers come from `make bench` only."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import qemu  # noqa: E402

# Figures later issues rely on; add yours when you add a benchmark.
EXPECTED = {
    "order0_pair_ns", "order0_pair_ratio_vs_freelist", "order0_batch64_pair_ns",
    "order9_pair_ns", "kmalloc64_pair_ns", "page_desc_bytes",
    "mm_init_prezeroed_ms_1tib", "mm_init_prezeroed_touched_mib_1tib", "mm_init_ms_64gib",
    "boot_to_ready_ms", "boot_to_ready_kernel_ms",
    "copy4k_movsb_ns", "copy4k_movsq_ns", "copy4k_loop_ns", "copy4k_libc_ns",
    "memcpy_4k_ns", "migrate_page_ns", "migrate_page_ratio_vs_memcpy",
    "migrate_copy_batch_ns", "migrate_page_ratio_vs_copy_batch",
    "kernel_copy4k_movsb_ns", "kernel_copy4k_movsq_ns", "kernel_copy4k_loop_ns",
    "kernel_memcpy_4k_ns", "migrate_mapped_page_ns", "migrate_mapped_page_ratio_vs_memcpy",
    "ipi_roundtrip_ns", "tlb_shootdown_all_ns",
    "migrate_mapped_page_ns_writer", "mapped_fault_waits_per_move_writer",
    "compact_recovered_pct_sparse_512m_smp2", "compact_ms_sparse_512m_smp2",
    "contig_2m_alloc_us_p50", "contig_2m_alloc_us_p90", "contig_2m_alloc_us_p99",
    "compact_ms_sim_1g", "compact_ms_sim_4g", "compact_ms_sim_16g", "compact_ms_sim_64g",
    "compact_ms_per_gib_ratio_64g_vs_1g",
    "order0_pair_ns_threads1", "order0_pair_ns_threads2", "order0_scaling_2t",
    "kernel_order0_pair_ns_smp1", "kernel_order0_pair_ns_smp2",
    "mslab_pair_ns", "mslab_migrate_page_ns", "mslab_migrate_page_ratio_vs_memcpy",
    "mslab_migrate_page_ratio_vs_copy_batch", "mslab_compact_pages_freed", "mslab_compact_ms",
} | {"balloon_%s_%s" % (fig, state)
     for fig in ("inflate_pages_per_s", "deflate_pages_per_s", "host_rss_released_mib_per_s",
                 "guest_ns_per_page_inflate", "guest_ns_per_page_deflate")
     for state in ("boot", "touched")
     } | {"balloon_%s_batch%d" % (fig, batch)
          for fig in ("inflate_pages_per_s", "guest_ns_per_page_inflate") for batch in (1024, 4096)} | {"compact_%s_%s_%s" % (fig, scenario, mem)
     for fig in ("recovered_pct", "moves_per_block", "min_moves_per_block", "ms")
     for scenario in ("sparse", "standard") for mem in ("512m", "1g")
     } | {"compact_%s_mixed_512m" % fig
          for fig in ("recovered_pct", "moves_per_block", "min_moves_per_block", "ms")} | {
    "balloon_free_2m_blocks_after_inflate_aware", "balloon_free_2m_blocks_after_inflate_naive",
    "balloon_free_2m_blocks_after_deflate_aware", "balloon_free_2m_blocks_after_deflate_naive",
    "balloon_migrate_page_us", "compact_recovered_pct_standard_balloon_512m",
    "compact_picture_free_pageblocks_before_mixed_512m",
    "compact_picture_free_pageblocks_after_mixed_512m"}
RATIOS = {"order0_pair_ratio_vs_freelist", "order0_batch64_pair_ns", "mm_init_prezeroed_ms_1tib",
          "mm_init_ms_64gib",
          "migrate_page_ratio_vs_memcpy", "migrate_page_ratio_vs_copy_batch",
          "migrate_mapped_page_ratio_vs_memcpy", "migrate_mapped_page_ns_writer",
          "compact_ms_per_gib_ratio_64g_vs_1g",
          "compact_moves_per_block_sparse_512m", "compact_moves_per_block_standard_512m",
          "mslab_pair_ns", "mslab_migrate_page_ratio_vs_memcpy",
          "mslab_migrate_page_ratio_vs_copy_batch", "order0_scaling_2t",
          "kernel_order0_pair_ns_smp2"}
# Measured even in quick mode: one of each code path (the rest may be skipped).
MEASURED = {"contig_2m_alloc_us_p99", "order0_pair_ns_threads1", "order0_pair_ns_threads2",
            "order0_scaling_2t", "kernel_order0_pair_ns_smp1", "kernel_order0_pair_ns_smp2",
            "ipi_roundtrip_ns", "tlb_shootdown_all_ns",
            "migrate_mapped_page_ns_writer", "compact_recovered_pct_sparse_512m_smp2",
            "compact_ms_sim_4g", "compact_ms_per_gib_ratio_64g_vs_1g",
            "compact_recovered_pct_sparse_512m", "compact_ms_standard_512m",
            "mslab_pair_ns", "mslab_migrate_page_ratio_vs_memcpy", "mslab_compact_pages_freed",
            "mslab_compact_ms", "compact_recovered_pct_mixed_512m",
            "balloon_free_2m_blocks_after_inflate_aware",
            "balloon_free_2m_blocks_after_inflate_naive",
            "balloon_free_2m_blocks_after_deflate_aware",
            "balloon_free_2m_blocks_after_deflate_naive", "balloon_migrate_page_us",
            "compact_recovered_pct_standard_balloon_512m",
            "compact_picture_free_pageblocks_after_mixed_512m"}
# Signed figures: a negative value is a result, not an error.
SIGNED = {"balloon_host_rss_released_mib_per_s_%s" % state for state in ("boot", "touched")}
PICTURES = ("picture.png", "free_orders.png", "contig_2m_latency.png")


def _have_matplotlib():
    return subprocess.run(["/usr/bin/python3", "-c", "import matplotlib"],
                          stderr=subprocess.DEVNULL).returncode == 0


def test_bench_harness_quick(ctx):
    """bench.py --quick exits 0 and its results file holds one well-formed
    object per expected figure (a value or a reason it was skipped)."""
    for exe in ("host_bench", "smp_order0_bench"):
        exe = os.path.join(qemu.BUILD, "bench", exe)
        assert os.path.exists(exe), "%s missing (make test builds it)" % exe
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "results.json")
        proc = subprocess.run([sys.executable, os.path.join(qemu.ROOT, "tools", "bench.py"),
                               "--quick", "--out", out],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=300, env=dict(os.environ, O=qemu.BUILD))
        assert proc.returncode == 0, proc.stdout[-3000:]
        with open(out) as f:
            figures = [json.loads(line) for line in f if line.strip()]
        for data in ("compact_picture.json", "contig_2m_latencies.json"):
            assert os.path.exists(os.path.join(tmp, data)), (data, proc.stdout[-3000:])
        if _have_matplotlib():
            for png in PICTURES:
                assert os.path.getsize(os.path.join(tmp, png)) > 1000, (png, proc.stdout[-3000:])
    by_name = {f["name"]: f for f in figures}
    assert len(by_name) == len(figures), "a figure appears twice"
    missing = EXPECTED - set(by_name)
    assert not missing, "missing figures %s in:\n%s" % (sorted(missing), proc.stdout)
    for f in figures:
        assert isinstance(f.get("unit"), str) and f.get("source") in ("host", "qemu"), f
        assert f.get("quick") is True, f
        if f["value"] is None:
            assert f.get("skipped"), f
        else:
            assert isinstance(f["value"], (int, float)), f
            assert f["value"] >= 0 or f["name"] in SIGNED, f
    for name in RATIOS:
        assert "baseline" in by_name[name] and "ratio" in by_name[name], by_name[name]
    assert by_name["page_desc_bytes"]["value"] == 32
    assert by_name["migrate_mapped_page_ns"]["source"] == "qemu"
    assert by_name["kernel_order0_pair_ns_smp2"]["source"] == "qemu"
    for name in MEASURED:
        assert by_name[name]["value"] is not None, by_name[name]
    assert by_name["compact_ms_standard_512m"]["source"] == "qemu"
    assert by_name["compact_recovered_pct_mixed_512m"]["source"] == "qemu"
    assert by_name["mslab_compact_pages_freed"]["value"] > 0
    assert "figure" in proc.stdout and "order0_pair_ns" in proc.stdout, proc.stdout
