"""End-to-end tests of memory bring-up and protection: the mm boot line and
mem=, the direct map's page sizes, guard pages under kernel stacks (thread
and boot stack) and W^X on the kernel image, on the real ISO in QEMU (run by
tools/testrun.py)."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import qemu  # noqa: E402

MM_LINE = re.compile(r"mm: (\d+) MiB usable, (\d+) pages, struct page 32 B, mem_map (\d+) KiB")
PAGING_LINE = re.compile(r"paging: direct map (\d+) MiB in (\d+) ranges "
                         r"\((\d+) x 1G, (\d+) x 2M, (\d+) x 4K pages\)")


def _boot(ctx, cmdline="", name="mm", **kw):
    """Boot to the prompt; return (output, mm line match, paging line match)."""
    with ctx.machine(cmdline, qmp=False, name=name, **kw) as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        out = m.output
    mm = MM_LINE.search(out)
    paging = PAGING_LINE.search(out)
    assert mm, "no mm: line in:\n%s" % out[-2500:]
    assert paging, "no paging: line in:\n%s" % out[-2500:]
    return out, mm, paging


def test_mm_boot_line(ctx):
    """The mm line reports the usable RAM of a 512 MiB machine consistently,
    and the direct map uses 2 MiB pages for it."""
    out, mm, paging = _boot(ctx, name="mm-line")
    mib, pages, mem_map_kib = (int(x) for x in mm.groups())
    assert 500 <= mib < 512, mm.group(0)
    assert pages * 4096 >> 20 == mib, mm.group(0)
    # 32 bytes per page of the span (gaps included) plus the pageblock table.
    assert pages * 32 // 1024 <= mem_map_kib <= 4200, mm.group(0)
    direct_mib, _, _, m2, m4 = (int(x) for x in paging.groups())
    assert direct_mib >= mib and m2 >= 200 and m4 < 1024, paging.group(0)
    assert "kernel text RX, rodata R, data RW+NX" in out


def test_mem_limits_usable_ram(ctx):
    """mem=256M leaves exactly 256 MiB of usable RAM to the allocator."""
    out, mm, _ = _boot(ctx, "mem=256M", name="mm-mem")
    assert mm.group(1) == "256" and mm.group(2) == "65536", mm.group(0)
    assert "mm: mem=262144 KiB: using 256 of 511 MiB of usable RAM" in out, out[-2500:]


def test_mem_bad_value_is_reported(ctx):
    """A malformed mem= is reported with the expected form; all RAM is used."""
    out, mm, _ = _boot(ctx, "mem=lots", name="mm-badmem")
    assert "bad value in 'mem=lots' (expected mem=SIZE[K|M|G]" in out, out[-2500:]
    assert int(mm.group(1)) > 500, mm.group(0)


def test_direct_map_uses_1g_pages(ctx):
    """With 2 GiB and a CPU with 1 GiB pages, the first gigabyte is one 1G
    page; without them (pdpe1gb=off) the map falls back to 2 MiB pages."""
    _, mm, paging = _boot(ctx, name="mm-2g", mem="2G")
    assert int(mm.group(1)) > 2000, mm.group(0)
    assert int(paging.group(3)) >= 1, paging.group(0)
    out, _, paging = _boot(ctx, name="mm-2g-no1g", mem="2G", extra=["-cpu", "max,pdpe1gb=off"])
    assert "1g-pages=0" in out
    assert int(paging.group(3)) == 0 and int(paging.group(4)) >= 1000, paging.group(0)


def _crash(ctx, kind, expect):
    with ctx.machine("crash=%s" % kind, qmp=False, name="mm-crash-" + kind) as m:
        status = m.wait_exit(60)
        out = m.output
    assert status == qemu.EXIT_PANIC, "exit status %s\n%s" % (status, out[-2500:])
    for text in expect + ["backtrace:"]:
        assert text in out, "missing %r in:\n%s" % (text, out[-2500:])
    return out


def test_thread_stack_overflow_hits_guard_page(ctx):
    """Unbounded recursion in a thread faults on the guard page under its
    stack; the double fault runs on its own stack and names the thread."""
    out = _crash(ctx, "stack", [
        "kernel stack overflow in thread 'crash-stack' (guard page ffffc000000",
        "exception 8 (#DF double fault)", "recurse+0x", "stack_thread+0x",
        "Kernel panic: kernel stack overflow in thread 'crash-stack' (guard page "])
    cr2 = re.search(r"CR2 ([0-9a-f]{16})", out).group(1)
    guard = re.search(r"guard page ([0-9a-f]{16})", out).group(1)
    assert int(cr2, 16) & ~0xfff == int(guard, 16), (cr2, guard)


def test_boot_stack_overflow_hits_guard_page(ctx):
    """The boot stack ("main") has a guard page too."""
    _crash(ctx, "mainstack", [
        "kernel stack overflow in thread 'main' (guard page ffffffff8",
        "exception 8 (#DF double fault)", "recurse+0x", "crash_mainstack+0x",
        "Kernel panic: kernel stack overflow in thread 'main'"])


def _protection_fault(ctx, kind, access, symbol):
    out = _crash(ctx, kind, ["exception 14 (#PF page fault)",
                             "page fault: %s protected address" % access,
                             "Kernel panic: unhandled exception 14"])
    addr = re.search(r"page fault: %s protected address ([0-9a-f]{16})" % access, out).group(1)
    nm = os.path.join(qemu.BUILD, "kernel.nm")
    with open(nm) as f:
        syms = dict((line.split()[2], int(line.split()[0], 16)) for line in f
                    if len(line.split()) == 3)
    assert int(addr, 16) == syms[symbol], "fault at %s, %s is at %x" % (addr, symbol, syms[symbol])
    assert "stack overflow" not in out


def test_write_to_kernel_text_faults(ctx):
    """Kernel text is mapped read-only: writing to it is a protection fault."""
    _protection_fault(ctx, "wx", "write to", "crash_wx")


def test_write_to_rodata_faults(ctx):
    _protection_fault(ctx, "rodata", "write to", "read_only_word")


def test_executing_data_faults(ctx):
    """Data is mapped NX: jumping into it is an instruction-fetch fault."""
    _protection_fault(ctx, "nx", "instruction fetch at", "data_code")
