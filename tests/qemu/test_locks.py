"""The lock checker (kernel/lockdep.c) on planted misuse: each crash= kind
panics with the checker's report, both call sites of an inversion
symbolized, and the backtrace of the offending acquisition; `locks` lists
the classes and orders the checker has seen."""
import qemu


def _lock_crash(ctx, kind, expect):
    with ctx.machine("crash=%s" % kind, qmp=False, name="crash-" + kind) as m:
        status = m.wait_exit(60)
        out = m.output
    assert status == qemu.EXIT_PANIC, "exit status %s\n%s" % (status, out[-1500:])
    for text in expect + ["backtrace:", "crash_%s+0x" % kind, "kmain+0x",
                          "Kernel panic: lockdep: "]:
        assert text in out, "missing %r in:\n%s" % (text, out[-2500:])
    return out


def test_lock_order_inversion_names_both_orders(ctx):
    out = _lock_crash(ctx, "lockorder", [
        "lockdep: inversion on cpu 0",
        "lock order inversion: taking 'crash-a' while holding 'crash-b'",
        "the opposite order was recorded before:"])
    # Four sites, each in crash_lockorder: b held, a taken now; a held, b taken before.
    sites = [l for l in out.splitlines() if " at crash_lockorder+0x" in l and "#0" not in l]
    assert len(sites) == 4, "\n".join(sites) + "\n" + out[-2500:]
    assert "'crash-b' held, taken at crash_lockorder+0x" in out
    assert "'crash-a' held (cpu 0), taken at crash_lockorder+0x" in out


def test_lock_recursion_is_reported_not_hung(ctx):
    _lock_crash(ctx, "lockrecursion", [
        "lockdep: recursion on cpu 0",
        "taking 'crash-a'", "which this cpu already holds",
        "#0 'crash-a'"])


def test_sleep_with_a_spinlock_is_reported(ctx):
    _lock_crash(ctx, "locksleep", [
        "lockdep: held-while-sleeping on cpu 0",
        "main with a spinlock held", "#0 'crash-a'"])


def test_locks_lists_classes_and_orders(ctx):
    with ctx.machine("", qmp=False, name="locks") as m:
        m.wait_ready(60)
        out = m.command("locks")
    assert "lockdep: checking," in out, out
    lines = {l.split()[0]: l for l in out.splitlines()[1:] if l.strip()}
    assert "console" in lines and "zone" in lines, out
    # Boot allocates page tables under the page-table lock.
    assert "> zone" in lines.get("pgtable", ""), out
