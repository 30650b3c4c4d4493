"""End-to-end tests of the virtio-mem device (issue 20's first slice: the
machine and the driver's config reading, not yet plugging). With `vmem=`
the guest has a virtio-mem-pci device (virtio 1.2, device id 24: PCI
1af4:1058) whose memory lies outside the boot memory map: the kernel lists
the device, negotiates its features, reads and checks its config and
reports what QMP reports (block size, region, request, and
UNPLUGGED_INACCESSIBLE when the device offers it); its memory map and mm
are those of the boot RAM alone; and QEMU itself checks the host's
requests (`requested-size` a multiple of the block size and within the
backend). Nothing plugs yet: `size` stays 0 until the driver does."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import qemu  # noqa: E402

VMEM_MIB = 256
BLOCK = 2 << 20  # QEMU 7.2's default block size on x86-64
PATH = "/machine/peripheral/vmem0"


def _qom_get(q, prop):
    return q.execute("qom-get", path=PATH, property=prop)


def _set_requested(q, value):
    """qom-set requested-size: None when QEMU took it, else its error text."""
    try:
        q.execute("qom-set", path=PATH, property="requested-size", value=value)
        return None
    except RuntimeError as e:
        return str(e)


def test_virtio_mem_device_listed_and_its_memory_not_ram(ctx):
    with ctx.machine("", name="vmem", vmem="%dM" % VMEM_MIB) as m:
        m.wait_ready(60)
        out = m.command("lspci")
        dev = re.search(r"^(\w\w:\w\w\.\d) 1af4:1058 class 00ff00 subsys 1af4:\w{4}.*$", out, re.M)
        assert dev, "no virtio-mem (1af4:1058) in lspci:\n" + out
        block = out[dev.end():].split("\n")[1:3]
        assert re.search(r"BAR4 mem64 pref 0x[0-9a-f]+ size 0x4000", block[0]), block
        assert block[1].count("vendor@") >= 5, block  # common, notify, ISR, device, pci-cfg
        # The device's region is not in the memory map: the mm spans the
        # 512 MiB of boot RAM and nothing above it.
        info = m.command("meminfo")
        span = re.search(r"^MemSpan: +\d+ kB +\(pfn 0-0x([0-9a-f]+)\)", info, re.M)
        assert span and int(span.group(1), 16) < (512 << 20) >> 12, info
        assert re.search(r"^mm_check: 0 violations$", m.command("mmcheck"), re.M)


BOOT_RE = re.compile(r"virtio-mem: (\w\w:\w\w\.\d) block (\d+) KiB, region 0x([0-9a-f]+)\+(\d+) "
                     r"MiB, usable (\d+) MiB, plugged (\d+) MiB, requested (\d+) MiB, "
                     r"features 0x([0-9a-f]+); plugging not built yet")


def _boot_report(m):
    """The driver's boot line, parsed, checked against QMP's view."""
    line = m.expect_re(BOOT_RE, 30)
    got = BOOT_RE.search(line)
    dev = [d["data"] for d in m.qmp().execute("query-memory-devices")
           if d.get("type") == "virtio-mem"][0]
    assert int(got.group(2)) << 10 == dev["block-size"], (line, dev)
    assert int(got.group(3), 16) == dev["memaddr"], (line, dev)
    assert int(got.group(4)) << 20 == dev["max-size"], (line, dev)
    assert int(got.group(6)) << 20 == dev["size"] == 0, (line, dev)
    assert int(got.group(7)) << 20 == dev["requested-size"], (line, dev)
    assert int(got.group(7)) <= int(got.group(5)) <= int(got.group(4)), line
    return int(got.group(8), 16)


def test_virtio_mem_driver_reads_the_config(ctx):
    with ctx.machine("", name="vmem-cfg", vmem="%dM" % VMEM_MIB) as m:
        m.wait_ready(60)
        features = _boot_report(m)
        assert features == 1 << 32, hex(features)  # VERSION_1 only: QEMU 7.2 offers no more
    with ctx.machine("", name="vmem-cfg2", vmem="%dM" % VMEM_MIB,
                     vmem_opts="unplugged-inaccessible=on,requested-size=8M") as m:
        m.wait_ready(60)
        features = _boot_report(m)
        assert features == (1 << 32) | (1 << 1), hex(features)  # + UNPLUGGED_INACCESSIBLE
        assert re.search(r"^mm_check: 0 violations$", m.command("mmcheck"), re.M)


def test_virtio_mem_qemu_checks_requested_size(ctx):
    with ctx.machine("", name="vmem-qmp", vmem="%dM" % VMEM_MIB) as m:
        m.wait_ready(60)
        q = m.qmp()
        assert _qom_get(q, "block-size") == BLOCK
        assert _qom_get(q, "size") == 0
        assert _qom_get(q, "requested-size") == 0
        err = _set_requested(q, BLOCK + (1 << 20))
        assert err and "multiples of 'block-size'" in err, err
        err = _set_requested(q, (VMEM_MIB << 20) + BLOCK)
        assert err and "cannot exceed the memory backend size" in err, err
        assert _qom_get(q, "requested-size") == 0  # a refused request changes nothing
        assert _set_requested(q, 4 * BLOCK) is None
        assert _qom_get(q, "requested-size") == 4 * BLOCK
        assert _set_requested(q, VMEM_MIB << 20) is None  # the whole backend is allowed
        devices = q.execute("query-memory-devices")
        vmem = [d for d in devices if d.get("type") == "virtio-mem"]
        assert len(vmem) == 1 and vmem[0]["data"]["id"] == "vmem0", devices
        data = vmem[0]["data"]
        assert data["max-size"] == VMEM_MIB << 20 and data["block-size"] == BLOCK, data
        assert data["memaddr"] >= 4 << 30, data  # above RAM: 512 MiB boots below the PCI hole
        # No driver yet: the guest plugs nothing, and the machine stays well.
        time.sleep(0.5)
        assert _qom_get(q, "size") == 0
        assert re.search(r"^mm_check: 0 violations$", m.command("mmcheck"), re.M)
