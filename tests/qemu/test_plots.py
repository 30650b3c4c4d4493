"""tools/plots.py draws PNGs from small JSON inputs of the shapes `make sim`
(--data) and `make bench` (compact_picture.json, contig_2m_latencies.json)
write; without matplotlib under /usr/bin/python3 it says so and is skipped."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import qemu  # noqa: E402

PY = "/usr/bin/python3"
PLOTS = os.path.join(qemu.ROOT, "tools", "plots.py")
MAP = {"mem": "256M", "scenario": "test", "base_addr": 0, "pageblocks": 128,
       "picture_before": "R" + "MX.USB" * 21 + "M", "picture_after": "R" + "." * 126 + "X",
       "free_before": [900, 40, 3, 1, 0, 0, 0, 0, 0, 1, 0],
       "free_after": [10, 2, 0, 0, 0, 0, 0, 0, 0, 3, 60]}


def have_matplotlib():
    return os.path.exists(PY) and subprocess.run(
        [PY, "-c", "import matplotlib"], stderr=subprocess.DEVNULL).returncode == 0


def plots(*args):
    proc = subprocess.run([PY, PLOTS] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout
    return proc.stdout


def test_plots_sim_and_bench_pictures(ctx):
    if not have_matplotlib():
        print("    skip: %s has no matplotlib (tools/deps.sh installs it)" % PY)
        return
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "test-256M.json")
        with open(data, "w") as f:
            json.dump(dict(MAP, figures={"T": 60}), f)
        out = plots("sim", data)
        for png in ("test-256M-picture.png", "test-256M-orders.png"):
            path = os.path.join(tmp, png)
            assert "picture: %s" % path in out and os.path.getsize(path) > 1000, out
        with open(os.path.join(tmp, "compact_picture.json"), "w") as f:
            json.dump(MAP, f)
        with open(os.path.join(tmp, "contig_2m_latencies.json"), "w") as f:
            json.dump({"machine": "test", "us": [5.0, 7.5, 12.0, 30.0, 31.0, 200.0]}, f)
        out = plots("bench", tmp)
        for png in ("picture.png", "free_orders.png", "contig_2m_latency.png"):
            assert os.path.getsize(os.path.join(tmp, png)) > 1000, out


def test_plots_big_picture_is_scaled(ctx):
    """64 GiB = 32768 pageblocks: wider rows, same picture size class."""
    if not have_matplotlib():
        print("    skip: %s has no matplotlib" % PY)
        return
    n = 32768
    big = dict(MAP, pageblocks=n, picture_before="MX" * (n // 2), picture_after="." * n)
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "big.json")
        with open(data, "w") as f:
            json.dump(big, f)
        plots("sim", data)
        with open(os.path.join(tmp, "big-picture.png"), "rb") as f:
            head = f.read(24)
        width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        assert width <= 2000 and height <= 1400, (width, height)


def test_plots_trace_timeline(ctx):
    """A `trace dump` inside a console log (prompt and other lines around
    it): one lane per CPU, a compaction whose begin was overwritten still
    drawn; a file without trace lines and bad arguments are refused."""
    if not have_matplotlib():
        print("    skip: %s has no matplotlib" % PY)
        return
    rows = [{"cpu": 0, "tsc": 100, "ns": 1000, "ev": "isolate", "pfn": 7, "result": 0},
            {"cpu": 1, "tsc": 150, "ns": 1500, "ev": "fault_wait", "pfn": 7, "result": 0},
            {"cpu": 0, "tsc": 200, "ns": 2000, "ev": "shootdown", "va": "0xffff900000001000",
             "pages": 1},
            {"cpu": 0, "tsc": 300, "ns": 3000, "ev": "migrate", "pfn": 7, "result": 0},
            {"cpu": 1, "tsc": 350, "ns": 3500, "ev": "fault_done", "pfn": 7, "result": 0},
            {"cpu": 0, "tsc": 400, "ns": 4000, "ev": "compact_end", "migrated": 1, "result": 1},
            {"cpu": 0, "tsc": 500, "ns": 5000, "ev": "compact_begin", "order": 11, "direct": 0}]
    summary = {"ev": "summary", "enabled": False, "events": 9, "dumped": 7,
               "cpus": [{"cpu": 0, "events": 7, "dropped": 2, "lost": 0},
                        {"cpu": 1, "events": 2, "dropped": 0, "lost": 0}]}
    with tempfile.TemporaryDirectory() as tmp:
        dump = os.path.join(tmp, "serial.log")
        with open(dump, "w") as f:
            f.write("> trace dump\n" + "".join(json.dumps(r) + "\n" for r in rows + [summary]) +
                    "> \n")
        out = plots("trace", dump)
        png = os.path.join(tmp, "serial-trace.png")
        assert "picture: %s" % png in out and os.path.getsize(png) > 1000, out
        png = os.path.join(tmp, "t.png")
        assert "picture: %s" % png in plots("trace", dump, "-o", png)
        with open(os.path.join(tmp, "empty.log"), "w") as f:
            f.write("> trace dump\n")
        for args in ([os.path.join(tmp, "empty.log")], [dump, "-x", png], [dump, "-o"]):
            proc = subprocess.run([PY, PLOTS, "trace"] + args, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, timeout=60)
            assert proc.returncode == 2 and "plots:" in proc.stdout, (args, proc.stdout)
    import importlib.util
    spec = importlib.util.spec_from_file_location("plots", PLOTS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    spans = module.trace_spans(rows, "compact_begin", "compact_end")
    assert spans == [(0, 1000, 4000), (0, 5000, 5000)], spans
    assert module.trace_spans(rows, "fault_wait", "fault_done") == [(1, 1500, 3500)]
