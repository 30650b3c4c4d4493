"""End-to-end test of the mm event trace (mm/trace.h, monitor/trace.c): at
SMP=2, `trace on`, a compaction while a writer on CPU 1 touches the mapped
pages that move, `trace dump`; the JSON lines parse, come merged by time,
hold events of both CPUs (the compaction, its isolates, migrates and
shootdowns on CPU 0, the writer's faults-and-waits on CPU 1) and end with a
summary whose counts agree; tools/plots.py trace draws the dump."""
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest import MIB, balloon_info, set_balloon  # noqa: E402
from test_plots import PY, have_matplotlib, plots  # noqa: E402


def parse_dump(out):
    """The dump's JSON lines: (records, summary)."""
    lines = [line for line in out.splitlines() if line.startswith("{")]
    assert lines, out[-2000:]
    rows = [json.loads(line) for line in lines]
    summary = rows[-1]
    assert summary["ev"] == "summary", lines[-1]
    return rows[:-1], summary


def test_trace_commands(ctx):
    """State, on/off/clear, usage errors; a cleared trace dumps nothing."""
    with ctx.machine(name="trace-cmds", qmp=False) as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        assert re.search(r"trace: off, 0 events, 0 dropped, \d+ records per cpu",
                         m.command("trace")), m.output[-500:]
        assert "usage: trace [on|off|clear|dump]" in m.command("trace sideways")
        assert "usage: trace" in m.command("trace on off")
        assert "trace: on" in m.command("trace on")
        m.command("compact")
        assert re.search(r"trace: on, [1-9]\d* events", m.command("trace"))
        assert "trace: off" in m.command("trace off")
        assert "trace: cleared" in m.command("trace clear")
        records, summary = parse_dump(m.command("trace dump"))
        assert records == [] and summary["events"] == 0 and not summary["enabled"], summary


def test_trace_balloon_batches(ctx):
    """An inflate by 64 MiB and the deflate back: batch events whose pages
    add up to exactly what moved, on the balloon thread's CPU."""
    ram = 512 * MIB
    with ctx.machine(name="trace-balloon", mem="512M") as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        q = m.qmp()
        assert "trace: on" in m.command("trace on")
        set_balloon(q, ram - 64 * MIB)
        set_balloon(q, ram)
        assert balloon_info(m)["actual"] == 0
        m.command("trace off")
        records, summary = parse_dump(m.command("trace dump", 120))
    batches = [r for r in records if r["ev"].startswith("balloon_")]
    assert batches, sorted({r["ev"] for r in records})
    for ev in ("balloon_inflate", "balloon_deflate"):
        done = [r["result"] for r in batches if r["ev"] == ev]
        assert sum(n for n in done if n > 0) == 64 * MIB // 4096, (ev, done)
        assert all(0 <= n <= r["want"] for n, r in zip(done, (b for b in batches
                                                                if b["ev"] == ev))), ev
    assert len({r["cpu"] for r in batches}) == 1, "the balloon thread changed CPU"
    assert all(c["dropped"] == 0 for c in summary["cpus"]), summary


def test_trace_compaction_under_writer(ctx):
    with ctx.machine(name="trace", qmp=False) as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        assert "frag sparse:" in m.command("frag sparse", 120)
        assert "writer: on cpu 1" in m.command("writer on 1")
        assert "trace: on" in m.command("trace on")
        out = m.command("compact", 300)
        assert "failed 0" in out, out
        assert "trace: off" in m.command("trace off")
        out = m.command("writer off", 60)
        assert ", 0 lost" in out, out
        dump = m.command("trace dump", 300)
        records, summary = parse_dump(dump)
        # The ring keeps the newest records: a second, short compaction
        # (little left to move) fits whole, begin to end.
        m.command("trace clear")
        m.command("trace on")
        m.command("compact", 300)
        m.command("trace off")
        again, again_summary = parse_dump(m.command("trace dump", 300))
        assert "mm_check: 0 violations" in m.command("mmcheck", 60)

    cpus = {r["cpu"] for r in records}
    assert cpus == {0, 1}, cpus
    kinds = {(r["cpu"], r["ev"]) for r in records}
    for want in [(0, "compact_end"), (0, "isolate"), (0, "migrate"), (0, "shootdown"),
                 (1, "fault_wait"), (1, "fault_done")]:
        assert want in kinds, (want, sorted(kinds))
    tscs = [r["tsc"] for r in records]
    assert tscs == sorted(tscs), "dump not merged by time"
    for cpu in (0, 1):
        ns = [r["ns"] for r in records if r["cpu"] == cpu]
        assert ns == sorted(ns) and ns[0] > 0, cpu
    # The second compaction whole: explicit, complete, after its begin; its
    # isolates and migrates between the two.
    assert all(c["dropped"] == 0 for c in again_summary["cpus"]), again_summary
    evs = [r["ev"] for r in again if r["cpu"] == 0 and r["ev"].startswith("compact")]
    assert evs == ["compact_begin", "compact_end"], evs
    begin, end = [r for r in again if r["ev"] in ("compact_begin", "compact_end")]
    assert begin["direct"] == 0 and end["result"] == 1 and end["tsc"] > begin["tsc"], (begin, end)
    assert all(begin["tsc"] < r["tsc"] < end["tsc"]
               for r in again if r["ev"] in ("isolate", "migrate")), "a move outside the span"
    assert all(r["result"] == 0 for r in records if r["ev"] == "migrate"), "a move failed"
    assert all(r["va"].startswith("0x") and r["pages"] > 0
               for r in records if r["ev"] == "shootdown")
    # Each fault-and-wait on CPU 1 ends. One whose page's isolate is still
    # in CPU 0's ring came after it, on a page that move then migrated (the
    # wait may be recorded after the migrate: the fault saw the migration
    # entry, the record's timestamp is taken a moment later).
    assert [r["ev"] for r in records if r["cpu"] == 1] == ["fault_wait", "fault_done"] * (
        len([r for r in records if r["cpu"] == 1]) // 2)
    checked = 0
    for w in (r for r in records if r["ev"] == "fault_wait"):
        isolated = [r["tsc"] for r in records
                    if r["ev"] == "isolate" and r["pfn"] == w["pfn"] and r["tsc"] < w["tsc"]]
        if not isolated:
            continue  # overwritten: CPU 0 records ten times as much
        assert any(r["ev"] == "migrate" and r["pfn"] == w["pfn"] and r["tsc"] > isolated[-1]
                   for r in records), w
        checked += 1
    assert checked, "no fault-and-wait while CPU 0's records are kept"
    per_cpu = {c["cpu"]: c for c in summary["cpus"]}
    dumped = sum(c["events"] - c["dropped"] - c["lost"] for c in per_cpu.values())
    assert summary["dumped"] == len(records) == dumped, summary
    assert summary["events"] == sum(c["events"] for c in per_cpu.values())

    if not have_matplotlib():
        print("    skip: %s has no matplotlib (tools/deps.sh installs it)" % PY)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "trace.log")
        with open(path, "w") as f:
            f.write(dump)
        png = os.path.join(tmp, "trace.png")
        out = plots("trace", path, "-o", png)
        assert "picture: %s" % png in out and os.path.getsize(png) > 1000, out
