#!/usr/bin/python3
"""Pictures of the physical-memory map and of compaction (matplotlib, run by
/usr/bin/python3: Debian's python3-matplotlib, installed by tools/deps.sh).

  plots.py sim DATA.json   the --data file of `make sim` (sim/sim.c):
                           DATA-picture.png (the map before/after compaction)
                           DATA-orders.png (free memory by order before/after)
  plots.py bench DIR       from `make bench` data in DIR (build/bench):
                           compact_picture.json (bench/qemu_compact.py) ->
                             picture.png, free_orders.png
                           contig_2m_latencies.json (bench/compact_bench.c) ->
                             contig_2m_latency.png
                           missing inputs are reported and skipped
  plots.py trace DUMP [-o PNG]
                           the JSON lines of the monitor's `trace dump`
                           (docs/trace.md; other lines are ignored): a
                           per-CPU timeline, DUMP-trace.png unless -o

Map strings hold one character per 2 MiB pageblock (mm/picture.h): . free,
M movable, U unmovable, B balloon, S mslab, X mixed, R reserved. Every PNG
path written is printed, one per line. Exit status 0 unless a plot failed
(or matplotlib is missing: 2).
"""
import json
import math
import os
import sys

KINDS = [  # character, name, colour (close to the `picture color` ANSI colours)
    (".", "free", "#e8e8e8"),
    ("M", "movable", "#2f6fdb"),
    ("U", "unmovable", "#d62728"),
    ("B", "balloon", "#b04fc8"),
    ("S", "mslab", "#17becf"),
    ("X", "mixed", "#f0b400"),
    ("R", "reserved", "#555555"),
]
PAGEBLOCK = 2 << 20
PAGE = 4096


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def picture_columns(n):
    """Cells per row: 64 like `picture` for small maps, wider for big ones so the
    grid stays about twice as wide as tall (64 GiB = 32768 blocks: 256)."""
    cols = 64
    while n / cols > cols / 2 and cols < 1024:
        cols *= 2
    return cols


def _grid(chars, cols):
    index = {k[0]: i for i, k in enumerate(KINDS)}
    rows = math.ceil(len(chars) / cols)
    grid = [[float("nan")] * cols for _ in range(rows)]
    for i, ch in enumerate(chars):
        grid[i // cols][i % cols] = index.get(ch, len(KINDS) - 1)
    return grid, rows


def _addr(a):
    return "%.4g GiB" % (a / (1 << 30)) if a >= 1 << 30 else "%d MiB" % (a >> 20)


def plot_picture(maps, base_addr, path, title):
    """maps: [(subtitle, map string)], drawn side by side with one legend."""
    plt = _plt()
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch
    n = max(len(m) for _, m in maps)
    cols = picture_columns(n)
    rows = math.ceil(n / cols)
    cmap = ListedColormap([k[2] for k in KINDS])
    cmap.set_bad("white")
    if rows <= 16:  # a short map: panels stacked, full width, square cells
        panel = rows * 9.5 / cols
        fig, axes = plt.subplots(len(maps), 1, figsize=(11, len(maps) * (panel + 1.5) + 0.8),
                                 squeeze=False)
        axes = [[a[0] for a in axes]]
    else:  # a tall map: panels side by side
        height = min(12.0, 2.4 + rows * 5.5 / cols)
        fig, axes = plt.subplots(1, len(maps), figsize=(6.8 * len(maps), height),
                                 squeeze=False)
    for ax, (sub, chars) in zip(axes[0], maps):
        grid, _ = _grid(chars, cols)
        edge = cols <= 64 and rows <= 64
        ax.imshow(grid, cmap=cmap, vmin=-0.5, vmax=len(KINDS) - 0.5, aspect="equal",
                  interpolation="nearest")
        if edge:  # small maps: separate the cells
            ax.set_xticks([x - 0.5 for x in range(cols + 1)], minor=True)
            ax.set_yticks([y - 0.5 for y in range(rows + 1)], minor=True)
            ax.grid(which="minor", color="white", linewidth=0.5)
            ax.tick_params(which="minor", length=0)
        ticks = (list(range(rows)) if rows <= 8 else
                 sorted(set(int(r) for r in [i * (rows - 1) / 4 for i in range(5)])))
        ax.set_yticks(ticks)
        ax.set_yticklabels([_addr(base_addr + t * cols * PAGEBLOCK) for t in ticks],
                           fontsize=8 if rows <= 16 else 10)
        ax.set_xlabel("pageblock in row (%d per row, 2 MiB each)" % cols)
        ax.set_ylabel("row start" if rows <= 8 else "physical address of row")
        counts = ", ".join("%s %d" % (k[1], chars.count(k[0])) for k in KINDS
                           if chars.count(k[0]))
        ax.set_title("%s\n%s" % (sub, counts), fontsize=9)
    handles = [Patch(facecolor=k[2], edgecolor="black", label="%s %s" % (k[0], k[1]))
               for k in KINDS]
    fig.legend(handles=handles, loc="lower center", ncol=len(KINDS), frameon=False)
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_orders(before, after, path, title):
    """Free memory (MiB) per order before and after, as grouped bars."""
    plt = _plt()
    orders = range(max(len(before), len(after)))
    mib = lambda blocks: [b * (PAGE << o) / (1 << 20) for o, b in enumerate(blocks)]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    w = 0.4
    ax.bar([o - w / 2 for o in orders], mib(before), w, label="before compaction",
           color="#d62728")
    ax.bar([o + w / 2 for o in orders], mib(after), w, label="after compaction",
           color="#2f6fdb")
    ax.set_xticks(list(orders))
    ax.set_xticklabels(["%d\n%s" % (o, _size(PAGE << o)) for o in orders])
    ax.set_xlabel("order (block size)")
    ax.set_ylabel("free memory in blocks of that order (MiB)")
    ax.set_title(title)
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _size(b):
    return "%d MiB" % (b >> 20) if b >= 1 << 20 else "%d KiB" % (b >> 10)


def _pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))]


def plot_latency(us, path, title):
    """Histogram of latencies (us, log-spaced bins) with p50/p90/p99 marked."""
    plt = _plt()
    lo, hi = max(min(us), 0.01), max(max(us), 0.02)
    bins = [lo * (hi / lo) ** (i / 40) for i in range(41)] if hi > lo * 1.01 else 20
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.hist(us, bins=bins, color="#2f6fdb", edgecolor="white")
    if isinstance(bins, list):
        ax.set_xscale("log")
    for p, style in ((50, "-"), (90, "--"), (99, ":")):
        v = _pct(us, p)
        ax.axvline(v, color="#d62728", linestyle=style, label="p%d %.1f us" % (p, v))
    ax.set_xlabel("latency of one 2 MiB allocation (us, log scale)")
    ax.set_ylabel("allocations")
    ax.set_title(title, fontsize=10)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def sim_pictures(data_path):
    with open(data_path) as f:
        d = json.load(f)
    stem = data_path[:-5] if data_path.endswith(".json") else data_path
    what = "make sim: %s machine, scenario %s" % (d["mem"], d["scenario"])
    return [
        plot_picture([("before compaction", d["picture_before"]), ("after compaction", d["picture_after"])],
                 d.get("base_addr", 0), stem + "-picture.png",
                 "%s: pageblocks (2 MiB) by owner" % what),
        plot_orders(d["free_before"], d["free_after"], stem + "-orders.png",
                    "%s: free memory by order" % what),
    ]


def bench_pictures(out_dir):
    """The bench pictures whose data exists; returns (paths, problems)."""
    paths, problems = [], []
    cm = os.path.join(out_dir, "compact_picture.json")
    if os.path.exists(cm):
        with open(cm) as f:
            d = json.load(f)
        what = "QEMU %s guest, frag %s" % (d["mem"], d["scenario"])
        paths.append(plot_picture([("before `compact`", d["picture_before"]),
                               ("after `compact`", d["picture_after"])], d.get("base_addr", 0),
                              os.path.join(out_dir, "picture.png"),
                              "%s: pageblocks (2 MiB) by owner" % what))
        paths.append(plot_orders(d["free_before"], d["free_after"],
                                 os.path.join(out_dir, "free_orders.png"),
                                 "%s: free memory by order (buddyinfo)" % what))
    else:
        problems.append("no %s (bench/qemu_compact.py bench_compact_picture did not run)" % cm)
    lat = os.path.join(out_dir, "contig_2m_latencies.json")
    if os.path.exists(lat):
        with open(lat) as f:
            d = json.load(f)
        paths.append(plot_latency(d["us"], os.path.join(out_dir, "contig_2m_latency.png"),
                                  "2 MiB allocations (order 9, may compact): %d on a %s "
                                  "machine" % (len(d["us"]), d.get("machine", "simulated"))))
    else:
        problems.append("no %s (host bench contig_2m did not run)" % lat)
    return paths, problems


# Trace events (mm/trace.h): name, colour. Spans (begin, end kind) are bars.
TRACE_KINDS = [
    ("alloc_slow", "#7f7f7f"),
    ("isolate", "#2f6fdb"),
    ("migrate", "#2ca02c"),
    ("putback", "#f0b400"),
    ("fault_wait", "#d62728"),
    ("shootdown", "#b04fc8"),
    ("balloon_inflate", "#17becf"),
    ("balloon_deflate", "#8c564b"),
]
TRACE_SPANS = [("compact_begin", "compact_end", "compaction", "#ffbb78"),
               ("fault_wait", "fault_done", "fault-and-wait", "#ff9896")]


def read_trace(path):
    """(records, summary) from a `trace dump`: its JSON lines, wherever they
    sit in a console log (prompts and other lines are skipped)."""
    records, summary = [], None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if row.get("ev") == "summary":
                summary = row
            elif "cpu" in row and "ns" in row:
                records.append(row)
    return records, summary


def trace_spans(records, begin, end):
    """[(cpu, start_ns, end_ns)] pairing each CPU's begin with its next end;
    an end whose begin was overwritten starts at the CPU's first record, a
    begin never ended stops at its last."""
    spans, first, last, open_at = [], {}, {}, {}
    for r in records:
        cpu = r["cpu"]
        first.setdefault(cpu, r["ns"])
        last[cpu] = r["ns"]
        if r["ev"] == begin:
            open_at[cpu] = r["ns"]
        elif r["ev"] == end:
            spans.append((cpu, open_at.pop(cpu, first[cpu]), r["ns"]))
    spans += [(cpu, t, last[cpu]) for cpu, t in open_at.items()]
    return spans


def plot_trace(records, summary, path, title):
    """One lane per CPU: events as ticks coloured by kind (each kind at its
    own height in the lane), compactions and faults-and-waits as bars."""
    plt = _plt()
    from matplotlib.patches import Patch
    cpus = sorted({r["cpu"] for r in records}) or [0]
    lane = {cpu: i for i, cpu in enumerate(cpus)}
    t0 = min((r["ns"] for r in records), default=0)
    fig, ax = plt.subplots(figsize=(12, 1.6 + 1.3 * len(cpus)))
    handles = []
    # A CPU whose ring overwrote records has none before its first kept
    # one: grey that stretch, or it reads as "nothing happened there".
    lost_by_cpu = {c["cpu"]: c.get("dropped", 0) + c.get("lost", 0)
                   for c in (summary or {}).get("cpus", [])}
    for cpu in cpus:
        first = min((r["ns"] for r in records if r["cpu"] == cpu), default=t0)
        if lost_by_cpu.get(cpu) and first > t0:
            ax.broken_barh([(0, (first - t0) / 1e6)], (lane[cpu] - 0.48, 0.96),
                           facecolor="none", edgecolor="#999999", hatch="///", linewidth=0)
    if any(lost_by_cpu.values()):
        handles.append(Patch(facecolor="none", edgecolor="#999999", hatch="///",
                             label="before the oldest kept record (ring overwrote)"))
    for i, (begin, end, label, colour) in enumerate(TRACE_SPANS):
        spans = trace_spans(records, begin, end)
        for cpu, a, b in spans:
            ax.broken_barh([((a - t0) / 1e6, max((b - a) / 1e6, 1e-3))],
                           (lane[cpu] - 0.45 + 0.9 * i / len(TRACE_SPANS),
                            0.9 / len(TRACE_SPANS)), color=colour, alpha=0.5)
        if spans:
            handles.append(Patch(color=colour, alpha=0.5, label=label))
    for k, (kind, colour) in enumerate(TRACE_KINDS):
        xs = [(r["ns"] - t0) / 1e6 for r in records if r["ev"] == kind]
        ys = [lane[r["cpu"]] - 0.4 + 0.8 * (k + 0.5) / len(TRACE_KINDS)
              for r in records if r["ev"] == kind]
        if xs:
            ax.scatter(xs, ys, marker="|", s=60, color=colour, linewidths=0.8,
                       label="%s (%d)" % (kind, len(xs)))
    ax.set_yticks(range(len(cpus)))
    ax.set_yticklabels(["cpu %d" % c for c in cpus])
    ax.set_ylim(-0.6, len(cpus) - 0.4)
    ax.invert_yaxis()
    ax.set_xlabel("time since the first record (ms)")
    if summary:
        dropped = sum(c.get("dropped", 0) + c.get("lost", 0) for c in summary.get("cpus", []))
        title += " - %d events, %d dumped, %d dropped" % (summary["events"], summary["dumped"],
                                                         dropped)
    ax.set_title(title, fontsize=10)
    marks, labels = ax.get_legend_handles_labels()
    ax.legend(marks + handles, labels + [h.get_label() for h in handles], loc="upper left",
              bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def trace_picture(args):
    """plots.py trace DUMP [-o PNG]: ([path], problems)."""
    if len(args) not in (1, 3) or (len(args) == 3 and args[1] != "-o"):
        return None, ["usage: plots.py trace DUMP [-o PNG]"]
    dump = args[0]
    out = args[2] if len(args) == 3 else os.path.splitext(dump)[0] + "-trace.png"
    records, summary = read_trace(dump)
    if not records and not summary:
        return None, ["%s: no `trace dump` JSON lines" % dump]
    return [plot_trace(records, summary, out, "mm trace: %s" % os.path.basename(dump))], []


def main(argv):
    usage = "usage: plots.py sim DATA.json | plots.py bench DIR | plots.py trace DUMP [-o PNG]"
    if len(argv) < 3 or argv[1] not in ("sim", "bench", "trace") or (
            argv[1] != "trace" and len(argv) != 3):
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print(usage, file=sys.stderr)
        return 2
    try:
        _plt()
    except ImportError as e:
        print("plots: matplotlib is missing (%s): run tools/deps.sh" % e, file=sys.stderr)
        return 2
    if argv[1] == "sim":
        paths, problems = sim_pictures(argv[2]), []
    elif argv[1] == "trace":
        paths, problems = trace_picture(argv[2:])
        if paths is None:
            print("plots: %s" % problems[0], file=sys.stderr)
            return 2
    else:
        paths, problems = bench_pictures(argv[2])
    for p in paths:
        print("picture: %s" % p)
    for p in problems:
        print("plots: %s" % p, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
