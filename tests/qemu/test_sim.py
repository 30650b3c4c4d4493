"""The host simulation behind `make sim`: a 1 GiB machine without page data,
both scenarios, full compaction; every moved page keeps its tag and the
figures meet the compaction goals."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import qemu  # noqa: E402


def _run(scenario):
    proc = subprocess.run([os.path.join(qemu.BUILD, "sim"), "--mem", "1G", "--scenario", scenario],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout
    figs = dict((m.group(1), float(m.group(2)))
                for m in re.finditer(r"^\s+(\w+)\s+([\d.]+)", proc.stdout, re.M))
    assert "0 failed moves, 0 bad tags, mm_check 0 violations" in proc.stdout, proc.stdout
    return figs


def test_sim_sparse_and_standard(ctx):
    for scenario in ("sparse", "standard"):
        f = _run(scenario)
        assert f["recovered_pct"] >= 99, (scenario, f)
        assert f["moves_per_block"] <= 1.05 * f["min_moves_per_block"], (scenario, f)


def test_sim_rejects_bad_arguments(ctx):
    sim = os.path.join(qemu.BUILD, "sim")
    for args in (["--mem", "1Q"], ["--mem", "1M"], ["--scenario", "nope"], ["--bogus", "x"]):
        proc = subprocess.run([sim] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=60)
        assert proc.returncode != 0, (args, proc.stdout)
