"""The host simulation behind `make sim`: 1 GiB and 64 GiB machines without
page data, both scenarios, full compaction; every moved page keeps its tag,
the result never passes T (T is an upper bound: the simulation itself exits
non-zero when it does) and the figures meet the compaction goals; the map is
printed before and after and written with the free lists to the --data
JSON."""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import qemu  # noqa: E402


def _run(scenario, mem="1G"):
    proc = subprocess.run([os.path.join(qemu.BUILD, "sim"), "--mem", mem, "--scenario", scenario],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout
    figs = dict((m.group(1), float(m.group(2)))
                for m in re.finditer(r"^\s+(\w+)\s+([\d.]+)", proc.stdout, re.M))
    assert "0 failed moves, 0 bad tags, mm_check 0 violations" in proc.stdout, proc.stdout
    return figs


def test_sim_sparse_and_standard(ctx):
    for mem in ("1G", "64G"):
        for scenario in ("sparse", "standard"):
            f = _run(scenario, mem)
            assert f["recovered_after"] <= f["T"], (mem, scenario, f)
            assert f["recovered_after"] + 1 >= f["T"], (mem, scenario, f)
            assert f["recovered_pct"] >= 99, (mem, scenario, f)
            assert f["moves_per_block"] <= 1.05 * f["min_moves_per_block"], (mem, scenario, f)


PICTURE_COUNTS_RE = re.compile(r"^picture: (\d+) pageblocks of 2 MiB: \. free (\d+),", re.M)


def test_sim_prints_and_saves_the_maps(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "standard-256M.json")
        proc = subprocess.run([os.path.join(qemu.BUILD, "sim"), "--mem", "256M", "--scenario",
                               "standard", "--data", data], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout
        out = proc.stdout
        assert out.index("sim: map before compaction") < out.index("sim: map after compaction")
        counts = PICTURE_COUNTS_RE.findall(out)
        assert len(counts) == 2 and all(int(c[0]) == 128 for c in counts), out
        rows = re.findall(r"^0x[0-9a-f]{10} ([.MUBSXR]+)$", out, re.M)
        assert len(rows) == 4 and len(rows[0]) == 64, out
        assert "sim: data in %s" % data in out, out
        with open(data) as f:
            d = json.load(f)
    assert d["pageblocks"] == 128 and d["scenario"] == "standard" and d["mem"] == "256M", d
    assert d["picture_before"] == rows[0] + rows[1] and d["picture_after"] == rows[2] + rows[3], d
    assert d["picture_after"].count(".") == int(counts[1][1]) > int(counts[0][1]), d
    assert len(d["free_before"]) == len(d["free_after"]) == 11, d
    assert d["figures"]["recovered_after"] == d["free_after"][9] + 2 * d["free_after"][10], d


def test_sim_rejects_bad_arguments(ctx):
    sim = os.path.join(qemu.BUILD, "sim")
    for args in (["--mem", "1Q"], ["--mem", "1M"], ["--scenario", "nope"], ["--bogus", "x"]):
        proc = subprocess.run([sim] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=60)
        assert proc.returncode != 0, (args, proc.stdout)
