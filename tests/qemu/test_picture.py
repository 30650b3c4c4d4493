"""End-to-end test of the `picture` monitor command (monitor/picture.c, format
in mm/picture.h): rows of up to 64 pageblock characters prefixed by their
physical address, the legend, counts that add up to the pageblocks, ANSI
colours with `picture color`, the usage line for a bad argument."""
import re

ROW_RE = re.compile(r"^0x([0-9a-f]{10}) ([.MUBSXR]{1,64})$")
COUNTS_RE = re.compile(r"^picture: (\d+) pageblocks of 2 MiB: \. free (\d+), M movable (\d+), "
                       r"U unmovable (\d+), B balloon (\d+), S mslab (\d+), X mixed (\d+), "
                       r"R reserved (\d+)$", re.M)
LEGEND = ("legend: . free  M movable  U unmovable  B balloon  S mslab  X mixed  R reserved")


def parse_picture(out):
    """The picture string, the total and the counts of one plain `picture` output."""
    rows = [ROW_RE.match(l.strip("\r")) for l in out.splitlines() if l.startswith("0x")]
    assert rows and all(rows), out
    addr = [int(r.group(1), 16) for r in rows]
    assert all(b - a == 64 * 2 * 1024 * 1024 for a, b in zip(addr, addr[1:])), out
    assert all(len(r.group(2)) == 64 for r in rows[:-1]), out
    assert LEGEND in out, out
    counts = COUNTS_RE.search(out)
    assert counts, out
    total = int(counts.group(1))
    kinds = dict(zip(".MUBSXR", (int(counts.group(i)) for i in range(2, 9))))
    chars = "".join(r.group(2) for r in rows)
    assert len(chars) == total == sum(kinds.values()), out
    assert all(chars.count(k) == n for k, n in kinds.items()), out
    return chars, kinds


def test_picture_after_boot_and_frag(ctx):
    with ctx.machine(name="picture", qmp=False) as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        chars, kinds = parse_picture(m.command("picture"))
        assert kinds["."] > 0 and kinds["R"] + kinds["U"] + kinds["X"] > 0, chars
        m.command("frag mixed", 300)
        after, kinds2 = parse_picture(m.command("picture", 60))
        assert len(after) == len(chars)
        assert kinds2["."] < kinds["."], (chars, after)
        assert kinds2["M"] + kinds2["X"] + kinds2["S"] > 0, after
        out = m.command("picture color", 60)
        assert "\x1b[" in out and "\x1b[0m" in out, out
        assert COUNTS_RE.search(out), out
        out = m.command("picture bogus")
        assert "usage: picture [color]" in out, out
