"""Readers of the guest's monitor output and QMP balloon helpers, shared by
the end-to-end tests (tests/qemu/) and the QEMU benchmarks (bench/): one
parser per monitor line, so a change of format is made in one place.
Every reader raises RuntimeError on output it does not recognise."""
import re
import time

MIB = 1 << 20
BALLOON_MIGRATION_RE = re.compile(r"^migration:\s+(\d+) migrated, (\d+) failed, (\d+) released "
                                  r"while isolated, (\d+) isolated now", re.M)


def _need(match, out, what):
    if not match:
        raise RuntimeError("unexpected %s output:\n%s" % (what, out))
    return match


def free_pages(m):
    """Free pages (`meminfo` MemFree)."""
    out = m.command("meminfo")
    return int(_need(re.search(r"^MemFree:\s+\d+ kB\s+\((\d+) pages", out, re.M), out,
                     "`meminfo`").group(1))


def pgtable_pages(m):
    """Page-table pages from the buddy in use and how many of them are vmap
    tables (`meminfo` PageTables): (pages, vmap)."""
    out = m.command("meminfo")
    mt = _need(re.search(r"^PageTables:\s+\d+ kB\s+\((\d+) pages in use, (\d+) of them vmap",
                         out, re.M), out, "`meminfo`")
    return int(mt.group(1)), int(mt.group(2))


def accounted_pages(m):
    """What a workload that frees all it took must give back exactly: free
    pages plus the pages slab caches hold (which may keep an emptied slab:
    slab growth is accounted, not lost), and the page-table pages in use
    (`meminfo`, `slabinfo`): (free + slab, page tables)."""
    return free_pages(m) + slab_pages(m), pgtable_pages(m)[0]


def slab_pages(m):
    """Pages the slab caches and kmalloc-large hold (`slabinfo`): where the
    balloon's xarray nodes come from, and where an emptied cache keeps a slab."""
    out = m.command("slabinfo")
    caches = _need(re.search(r"^caches: \d+ bytes used, \d+ bytes held in (\d+) pages$", out,
                             re.M), out, "`slabinfo`")
    large = _need(re.search(r"^kmalloc-large: \d+ blocks, (\d+) pages", out, re.M), out,
                  "`slabinfo`")
    return int(caches.group(1)) + int(large.group(1))


COMPACT_TIME_RE = re.compile(r"^compact(?: \(order\))?: [^\n]* in (\d+)\.(\d+) ms$", re.M)
COMPACT_PACK_RE = re.compile(r"^packing: (\d+) objects moved, (\d+) bytes copied, "
                             r"(\d+) mslab pages freed$", re.M)
COMPACT_BLOCKS_RE = re.compile(r"^2 MiB blocks: (\d+) -> (\d+), T (\d+); recovered_pct (\S+)$",
                               re.M)
COMPACT_MOVES_RE = re.compile(r"^moved (\d+) pages, failed (\d+); moves_per_block (\S+) "
                              r"min_moves_per_block (\S+)$", re.M)
COMPACT_OWNER_RE = re.compile(r"by owner:((?: \S+ \d+)*)$", re.M)


def parse_compact(out):
    """The figures of one `compact` output (monitor/compact.c) as a dict:
    ms, pack_objects, pack_bytes, pack_pages (the packing phase), before,
    after, T, recovered_pct, moved, failed, moves_per_block,
    min_moves_per_block (None where the kernel printed "-": nothing to
    divide by), by_owner {type: pages}, and within_T: False when the kernel
    found more free blocks than T (its `error:` line), so the caller
    reports the run as failed rather than a figure above its maximum."""
    t, pack = COMPACT_TIME_RE.search(out), COMPACT_PACK_RE.search(out)
    blocks, moves = COMPACT_BLOCKS_RE.search(out), COMPACT_MOVES_RE.search(out)
    owners = COMPACT_OWNER_RE.search(out)
    _need(t and pack and blocks and moves and owners, out, "`compact`")

    def num(s):
        return None if s == "-" else float(s)
    words = owners.group(1).split()
    fig = {"ms": int(t.group(1)) + int(t.group(2)) / 10 ** len(t.group(2)),
           "pack_objects": int(pack.group(1)), "pack_bytes": int(pack.group(2)),
           "pack_pages": int(pack.group(3)),
           "before": int(blocks.group(1)), "after": int(blocks.group(2)),
           "T": int(blocks.group(3)), "recovered_pct": num(blocks.group(4)),
           "moved": int(moves.group(1)), "failed": int(moves.group(2)),
           "moves_per_block": num(moves.group(3)), "min_moves_per_block": num(moves.group(4)),
           "by_owner": {words[i]: int(words[i + 1]) for i in range(0, len(words), 2)}}
    fig["within_T"] = fig["after"] <= fig["T"] and "above T" not in out
    return fig


def compact_short_of_T(fig):
    """None when one compaction reached what the tests demand (within T and
    at most one block short of it: the block where the two scanners meet may
    hold targets), else the reason."""
    if not fig["within_T"]:
        return "%d free 2 MiB blocks is above T %d: T is not an upper bound" % (
            fig["after"], fig["T"])
    if fig["after"] + 1 < fig["T"]:
        return "%d free 2 MiB blocks, more than one short of T %d" % (fig["after"], fig["T"])
    return None


FRAG_VERIFY_RE = re.compile(r"^frag verify: (\d+) mapped pages, 0 bad; mslab (\d+) objects, "
                            r"0 bad$", re.M)


def check_contents(m):
    """Check the guest after a workload that moved the scenario's memory:
    every kept page and object still holds what the scenario stamped (`frag
    verify`) and every mm invariant holds (`mmcheck`). Return: (None, the
    answers) when both are right, else (the first wrong answer, None)."""
    out = m.command("frag verify", 300)
    good = FRAG_VERIFY_RE.search(out)
    if not good:
        return "`frag verify`: %s" % (out.strip().splitlines() or ["no answer"])[-1], None
    out = m.command("mmcheck", 120)
    if "mm_check: 0 violations" not in out or "error:" in out:
        return "`mmcheck`: %s" % out.strip(), None
    return None, "%s; mm_check: 0 violations" % good.group(0)


def balloon_info(m):
    """The `balloon` monitor command as a dict: num_pages, target, actual,
    inflated, nodes, errors, clamps, migrated, migrate_failed, released,
    isolated. A driver that
    stopped (BROKEN) is an error."""
    out = m.command("balloon")
    if "BROKEN" in out:
        raise RuntimeError("the balloon driver stopped:\n%s" % out)
    info = {}
    for key in ("num_pages", "target", "actual", "inflated"):
        info[key] = int(_need(re.search(r"^%s:\s+(\d+)" % key, out, re.M), out,
                              "`balloon`").group(1))
    info["nodes"] = int(_need(re.search(r"(\d+) xarray nodes", out), out, "`balloon`").group(1))
    mt = _need(re.search(r"^errors:\s+(\d+) device, (\d+) clamps", out, re.M), out, "`balloon`")
    info["errors"], info["clamps"] = int(mt.group(1)), int(mt.group(2))
    mt = _need(BALLOON_MIGRATION_RE.search(out), out, "`balloon`")
    info["migrated"], info["migrate_failed"], info["released"], info["isolated"] = \
        [int(g) for g in mt.groups()]
    return info


def wait_query_balloon(q, actual, timeout=120, poll=0.1):
    """Wait until query-balloon reports @actual bytes; return the seconds waited."""
    start = time.monotonic()
    while q.execute("query-balloon")["actual"] != actual:
        if time.monotonic() - start > timeout:
            raise RuntimeError("query-balloon did not reach %d bytes in %d s" % (actual, timeout))
        time.sleep(poll)
    return time.monotonic() - start


def set_balloon(q, value, timeout=120, poll=0.1):
    """Ask QMP for @value bytes of guest RAM and wait until query-balloon
    reports it; return the seconds from the command to that answer."""
    start = time.monotonic()
    q.execute("balloon", value=value)
    wait_query_balloon(q, value, timeout, poll)
    return time.monotonic() - start


def qemu_rss_kib(pid):
    """The QEMU process's resident memory (VmRSS of /proc/PID/status), KiB.
    The process must be QEMU: a /proc from another PID namespace (a container
    whose /proc is not its own) would give some other process's figure."""
    fields = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    if not fields.get("Name", "").startswith("qemu-system"):
        raise RuntimeError("/proc/%d is %r, not QEMU (is /proc from another PID namespace?)" %
                           (pid, fields.get("Name")))
    if "VmRSS" not in fields:
        raise RuntimeError("no VmRSS for pid %d" % pid)
    return int(fields["VmRSS"].split()[0])
