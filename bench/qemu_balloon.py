"""QEMU benchmarks of the virtio-balloon driver (run by tools/bench.py).

A 512 MiB guest is driven from QMP on the host. Each boot measures two
states: "boot" (right after the ready line: most of guest RAM was never
written, so the host has nothing behind it) and "touched" (after the
monitor's `touch` wrote every free page once, so the host backs all of it).
In each state:

  inflate  512 -> 256 MiB (65536 pages): from the QMP `balloon` command to
           query-balloon reporting the target, host-timed
  deflate  256 -> 384 MiB (32768 pages), the same way

Between the states the guest goes back to 512 MiB, then runs `touch`.
Figures, each the median over ctx.boots boots:

  balloon_inflate_pages_per_s_<state>        goal >= 100k
  balloon_deflate_pages_per_s_<state>        goal >= 500k
  balloon_host_rss_released_mib_per_s_<state>
                                             (QEMU's VmRSS before the inflate -
                                             after it) / its time: signed,
                                             negative when VmRSS grew
  balloon_guest_ns_per_page_{inflate,deflate}_<state>
                                             the guest's own time per page,
                                             waits for the device excluded
                                             (monitor `balloon`: guest_ns and
                                             the pages of `batches`); goal <= 1000

and, touched state, with the kernel parameter balloon.batch=N (PFNs per
buffer; 256 is the default, whose figures are the baseline):

  balloon_inflate_pages_per_s_batch{1024,4096}
  balloon_guest_ns_per_page_inflate_batch{1024,4096}

Every baseline is measured in the same run; the figures of a Linux guest
measured once by hand are in docs/benchmarks.md ("Outside reference
figures"), never compared here. --quick boots once with the default batch and reports the batch
figures skipped. A kernel whose `balloon` output lacks the guest_ns or
batch lines gets those figures skipped, not failed.
"""
import re
import statistics
import time

from guest import qemu_rss_kib, set_balloon

MIB = 1 << 20
RAM = 512 * MIB
INFLATE_TO = 256 * MIB
DEFLATE_TO = 384 * MIB
INFLATE_PAGES = (RAM - INFLATE_TO) >> 12
DEFLATE_PAGES = (DEFLATE_TO - INFLATE_TO) >> 12
STATES = ("boot", "touched")
BATCHES = (1024, 4096)  # compared with the default, 256
DEFAULT_BATCH = 256
POLL_S = 0.002

BATCHES_RE = re.compile(r"^batches:\s+(\d+) inflate, (\d+) deflate \((\d+)/(\d+) pages", re.M)
GUEST_NS_RE = re.compile(r"^guest_ns:\s+inflate (\d+) deflate (\d+)$", re.M)
WAIT_NS_RE = re.compile(r"^wait_ns:\s+inflate (\d+) deflate (\d+)$", re.M)
BATCH_RE = re.compile(r"^batch:\s+(\d+) PFNs per buffer\b", re.M)
TOUCH_RE = re.compile(r"^touched (\d+) pages in (\d+) ms$", re.M)


def counters(m):
    """The cumulative counters of the monitor's `balloon`: pages in and out
    since boot, and (None when this kernel does not print them) guest and
    device-wait ns per direction and the batch size."""
    out = m.command("balloon")
    b = BATCHES_RE.search(out)
    if not b or "BROKEN" in out:
        raise RuntimeError("unexpected `balloon` output:\n%s" % out)
    c = {"pages_inflated": int(b.group(3)), "pages_deflated": int(b.group(4)),
         "guest_inflate": None, "guest_deflate": None,
         "wait_inflate": None, "wait_deflate": None, "batch": None}
    g, w, n = GUEST_NS_RE.search(out), WAIT_NS_RE.search(out), BATCH_RE.search(out)
    if g:
        c["guest_inflate"], c["guest_deflate"] = int(g.group(1)), int(g.group(2))
    if w:
        c["wait_inflate"], c["wait_deflate"] = int(w.group(1)), int(w.group(2))
    if n:
        c["batch"] = int(n.group(1))
    return c


def settled_counters(m, key, want):
    """Counters once the guest has accounted for `want` pages under `key`
    (the host may see `actual` a moment before the thread's bookkeeping)."""
    deadline = time.monotonic() + 30
    while True:
        c = counters(m)
        if c[key] >= want:
            return c
        if time.monotonic() > deadline:
            raise RuntimeError("balloon: %s stuck at %d, want %d" % (key, c[key], want))
        time.sleep(0.05)


def per_page(c0, c1, what):
    """Guest and wait ns per page between two counter snapshots (None when
    this kernel has no such counters)."""
    pages = c1["pages_" + what + "d"] - c0["pages_" + what + "d"]
    out = {}
    for kind in ("guest", "wait"):
        a, b = c0["%s_%s" % (kind, what)], c1["%s_%s" % (kind, what)]
        out[kind] = None if a is None or b is None or not pages else (b - a) / pages
    return out


def measure_state(m, q):
    """Inflate 512 -> 256 MiB, deflate -> 384 MiB; return the figures of
    one state of one boot."""
    c0 = counters(m)
    rss0 = qemu_rss_kib(m.proc.pid)
    t_inf = set_balloon(q, INFLATE_TO, 120, POLL_S)
    rss1 = qemu_rss_kib(m.proc.pid)
    c1 = settled_counters(m, "pages_inflated", c0["pages_inflated"] + INFLATE_PAGES)
    t_def = set_balloon(q, DEFLATE_TO, 120, POLL_S)
    c2 = settled_counters(m, "pages_deflated", c1["pages_deflated"] + DEFLATE_PAGES)
    inf, dfl = per_page(c0, c1, "inflate"), per_page(c1, c2, "deflate")
    return {"inflate": INFLATE_PAGES / t_inf, "deflate": DEFLATE_PAGES / t_def,
            "released_mib_s": (rss0 - rss1) / 1024 / t_inf, "rss_before": rss0 / 1024,
            "rss_after": rss1 / 1024, "inflate_s": t_inf, "deflate_s": t_def,
            "guest_inflate": inf["guest"], "wait_inflate": inf["wait"],
            "guest_deflate": dfl["guest"], "wait_deflate": dfl["wait"],
            "batch": c0["batch"]}


def one_boot(ctx, batch=None):
    """Boot (with balloon.batch=`batch` unless None), measure the boot
    state, go back to full, `touch`, measure the touched state. Return
    {state: figures}."""
    cmdline = "balloon.batch=%d" % batch if batch else ""
    with ctx.machine(cmdline, mem="512M", name="bench-balloon") as m:
        m.wait_ready(60)
        m.expect("> ", 10)
        q = m.qmp()
        c = counters(m)
        if batch and c["batch"] != batch:
            raise RuntimeError("booted with balloon.batch=%d, `balloon` says %s" %
                               (batch, c["batch"]))
        runs = {"boot": measure_state(m, q)}
        set_balloon(q, RAM, 120, POLL_S)
        settled_counters(m, "pages_deflated", counters(m)["pages_inflated"])
        out = m.command("touch", 300)
        t = TOUCH_RE.search(out)
        if not t:
            raise RuntimeError("unexpected `touch` output:\n%s" % out)
        runs["touched"] = measure_state(m, q)
        runs["touched"]["touched_pages"] = int(t.group(1))
        if "mm_check: 0 violations" not in m.command("mmcheck", 120):
            raise RuntimeError("mm_check failed after the balloon benchmark")
        return runs


def med(runs, key):
    values = [r[key] for r in runs]
    return None if not values or None in values else statistics.median(values)


def fig(name, value, unit, runs, note, digits=0, why=None, key=None):
    """One figure; `key` adds the spread over the boots to the note (the
    host-timed figures vary a lot on a shared machine)."""
    values = [r[key] for r in runs] if key else []
    if len(values) > 1 and None not in values:
        note += "; boots %.*f..%.*f" % (digits, min(values), digits, max(values))
    f = {"name": name, "value": None if value is None else round(value, digits),
         "unit": unit, "runs": len(runs), "note": note}
    if digits == 0 and value is not None:
        f["value"] = int(f["value"])
    if value is None:
        f["skipped"] = why or "this kernel's `balloon` output has no guest_ns/wait_ns lines"
    return f


def with_baseline(f, base):
    """Give figure `f` a baseline measured in the same run, and the ratio."""
    if f["value"] is not None and base:
        f["baseline"] = base
        f["ratio"] = round(f["value"] / base, 4)
    return f


def state_figures(runs, state):
    n = len(runs)
    what = "512 MiB guest, %s state, median of %d boot%s" % (
        "after `touch` wrote all free pages" if state == "touched" else "right after boot",
        n, "s" * (n > 1))
    inf, dfl = med(runs, "inflate"), med(runs, "deflate")
    gi, gd = med(runs, "guest_inflate"), med(runs, "guest_deflate")
    wi, wd = med(runs, "wait_inflate"), med(runs, "wait_deflate")
    out = [
        fig("balloon_inflate_pages_per_s_" + state, inf, "pages/s", runs,
            "%s: 512 -> 256 MiB (%d pages), QMP `balloon` to query-balloon reporting it, "
            "host-timed (%.3f s); goal >= 100000" % (what, INFLATE_PAGES, med(runs, "inflate_s")),
            key="inflate"),
        fig("balloon_deflate_pages_per_s_" + state, dfl, "pages/s", runs,
            "%s: 256 -> 384 MiB (%d pages), host-timed (%.3f s); goal >= 500000" %
            (what, DEFLATE_PAGES, med(runs, "deflate_s")),
            key="deflate"),
        fig("balloon_host_rss_released_mib_per_s_" + state, med(runs, "released_mib_s"),
            "MiB/s", runs,
            "%s: QEMU VmRSS %.1f -> %.1f MiB over the 512 -> 256 MiB inflate: (before - "
            "after) / its time, signed: negative when VmRSS grew%s" %
            (what, med(runs, "rss_before"), med(runs, "rss_after"),
             "" if state == "touched" else
             " (little to give back: the host never backed most of it, and QEMU's guest RAM"
             " is MADV_HUGEPAGE, so the guest's first writes into a 2 MiB region during the"
             " inflate, e.g. xarray nodes, can make the host back all of it)"), 1,
            key="released_mib_s"),
        fig("balloon_guest_ns_per_page_inflate_" + state, gi, "ns", runs,
            "%s: the guest's own inflate time per page, device waits excluded "
            "(waits: %s ns/page); goal <= 1000" % (what, "-" if wi is None else "%.0f" % wi), 1,
            key="guest_inflate"),
        fig("balloon_guest_ns_per_page_deflate_" + state, gd, "ns", runs,
            "%s: the guest's own deflate time per page, device waits excluded "
            "(waits: %s ns/page); goal <= 1000" % (what, "-" if wd is None else "%.0f" % wd), 1,
            key="guest_deflate"),
    ]
    return out


def batch_figures(batch, runs, base_runs, why):
    """Inflate pages/s and guest ns/page with balloon.batch=`batch` against
    the default's touched figures of the same run."""
    base = [r["touched"] for r in base_runs]
    mine = [r["touched"] for r in runs]
    what = ("512 MiB guest booted with balloon.batch=%d, touched state, median of %d boots; "
            "baseline: the same with the default batch (%d)" % (batch, len(mine), DEFAULT_BATCH))
    out = [
        fig("balloon_inflate_pages_per_s_batch%d" % batch, med(mine, "inflate") if mine else None,
            "pages/s", mine, "%s; 512 -> 256 MiB, host-timed; goal >= 100000" % what, why=why,
            key="inflate"),
        fig("balloon_guest_ns_per_page_inflate_batch%d" % batch,
            med(mine, "guest_inflate") if mine else None, "ns", mine,
            "%s; the guest's own inflate time per page, device waits excluded (waits: %s "
            "ns/page); goal <= 1000" % (what, "-" if not mine or med(mine, "wait_inflate") is None
                                        else "%.0f" % med(mine, "wait_inflate")), 1,
            why=why or ("this kernel's `balloon` output has no guest_ns line" if mine else None),
            key="guest_inflate"),
    ]
    with_baseline(out[0], med(base, "inflate"))
    with_baseline(out[1], med(base, "guest_inflate"))
    return out


def bench_balloon(ctx):
    """Inflate/deflate pages/s, the host RSS released per second (signed) and the
    guest's ns per page in a 512 MiB guest, right after boot and with all
    of its memory touched; inflate with 1024 and 4096 PFNs per buffer
    against the default 256."""
    default, by_batch = [], {b: [] for b in BATCHES}
    why = "--quick: the default batch only" if ctx.quick else None
    for _ in range(ctx.boots):
        # Interleaved: one boot of each configuration per round.
        default.append(one_boot(ctx))
        if default[0]["boot"]["batch"] is None:
            why = "this kernel has no balloon.batch parameter (no `batch:` line in `balloon`)"
        elif default[0]["boot"]["batch"] != DEFAULT_BATCH:
            why = "the default batch is %d, not %d" % (default[0]["boot"]["batch"],
                                                       DEFAULT_BATCH)
        if why:
            continue
        for b in BATCHES:
            by_batch[b].append(one_boot(ctx, b))
    result = []
    for state in STATES:
        result += state_figures([r[state] for r in default], state)
    for b in BATCHES:
        result += batch_figures(b, by_batch[b], default, why)
    return result
