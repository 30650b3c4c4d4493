"""End-to-end tests of the PCI scan and the virtio-pci transport: `lspci`
on the monitor shows the balloon (transitional and modern-only), and the
virtio_pci KTAP suite drives the modern-only device too."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import qemu  # noqa: E402

LINE_RE = re.compile(r"^(\w\w):(\w\w)\.(\d) 1af4:(\w{4}) class (\w{6})(.*)$", re.M)


def _balloon_entry(out):
    """The lspci block of the virtio device: (header match, following lines)."""
    m = LINE_RE.search(out)
    assert m, "no 1af4 device in lspci:\n" + out
    rest = out[m.end():].split("\n")[1:]
    block = []
    for line in rest:
        if not line.startswith("    "):
            break
        block.append(line)
    return m, "\n".join(block)


def _check_common(m, block, out):
    bus, slot = int(m.group(1), 16), int(m.group(2), 16)
    assert m.group(5) == "00ff00", "balloon class is 'other/unclassified': " + m.group(0)
    irq = re.search(r"irq INTA gsi (\d+)", m.group(6))
    assert irq, "no INTx routing on: " + m.group(0)
    # q35/ICH9: root-bus slots 0-24 map INT[A-D] to PIRQ[E-H] rotated by slot.
    assert bus == 0 and int(irq.group(1)) == 16 + 4 + slot % 4, m.group(0)
    assert re.search(r"BAR4 mem64 pref 0x[0-9a-f]+ size 0x4000", block), block
    caps = block.split("caps:")[1]
    assert caps.count("vendor@") >= 5, caps  # common, notify, ISR, device, pci-cfg
    # The q35 chipset is listed too.
    assert re.search(r"^00:00\.0 8086:29c0 class 060000", out, re.M), out
    assert re.search(r"^00:1f\.0 8086:2918 class 060100", out, re.M), out


def test_lspci_transitional_balloon(ctx):
    """Default q35 balloon: transitional 1af4:1002, subsystem 1af4:0005, an I/O
    BAR0 beside the modern 64-bit BAR4, vendor capabilities, INTA on a PIRQ GSI."""
    with ctx.machine(name="lspci") as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        out = m.command("lspci")
        print("    " + "\n    ".join(l for l in out.splitlines() if "1af4" in l))
        hdr, block = _balloon_entry(out)
        assert hdr.group(4) == "1002", hdr.group(0)
        assert "subsys 1af4:0005" in hdr.group(6), hdr.group(0)
        assert re.search(r"BAR0 io 0x[0-9a-f]+ size 0x[0-9a-f]+", block), block
        _check_common(hdr, block, out)
        assert "usage: lspci" in m.command("lspci extra")


def test_lspci_and_transport_modern_only_balloon(ctx):
    """disable-legacy=on: 1af4:1045 with no I/O BAR; the virtio_pci suite
    probes, negotiates and sets up queue 0 on it as on the transitional one
    (balloon=off: the balloon driver would own the device)."""
    with ctx.machine("balloon=off", name="lspci-modern", balloon_opts="disable-legacy=on") as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        out = m.command("lspci")
        hdr, block = _balloon_entry(out)
        assert hdr.group(4) == "1045", hdr.group(0)
        assert "BAR0 io" not in block, block
        _check_common(hdr, block, out)
        res = m.command("test virtio_pci", 60)
        assert "# balloon 00:" in res and "1af4:1045" in res, res
        assert "ok 1 virtio_pci" in res and "not ok" not in res, res
