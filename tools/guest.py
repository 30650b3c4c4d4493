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
