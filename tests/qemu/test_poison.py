"""mm.poison=1 end to end: free pages hold the poison and every allocation
checks it while the whole workload runs (scenarios, compaction, mslab,
balloon inflate/deflate with PAGE_POISON negotiated, free page reporting);
any write after free would panic the guest. The page poison check itself is
tests/qemu/test_boot.py's crash=poison."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from guest import MIB, set_balloon  # noqa: E402

PAGE_POISON = 1 << 4


def test_poisoned_workload(ctx):
    with ctx.machine("mm.poison=1", name="poison", balloon_opts="free-page-reporting=on") as m:
        m.wait_ready(60)
        m.expect("> ", 10)
        assert "mm: poison on free: free pages hold 0xaa" in m.output, m.output[-2000:]
        q = m.qmp()
        set_balloon(q, 384 * MIB, 120, 0.05)
        for cmd in ("frag mixed", "compact", "frag verify", "frag clear", "mslab alloc 2000",
                    "mslab free all"):
            out = m.command(cmd, 300)
            assert "error" not in out, (cmd, out)
        set_balloon(q, 512 * MIB, 120, 0.05)
        out = m.command("balloon")
        feat = re.search(r"features (0x[0-9a-f]+)", out)
        assert feat and int(feat.group(1), 16) & PAGE_POISON, out  # poison_val told
        deadline = time.monotonic() + 30  # the thread reports every 2 s
        while True:
            rep = re.search(r"^reporting:\s+(\d+) rounds", out, re.M)
            assert rep, out
            if int(rep.group(1)) > 0:
                break
            assert time.monotonic() < deadline, out
            time.sleep(0.5)
            out = m.command("balloon")
        # Take every free page, reported ones included: each allocation
        # checks the poison the host must have kept.
        assert "error" not in m.command("touch", 300)
        vm = m.command("vmstat")
        bad = re.search(r"^poison_bad\s+(\d+)", vm, re.M)
        assert bad and bad.group(1) == "0", vm
        assert "mm_check: 0 violations" in m.command("mmcheck", 120)
