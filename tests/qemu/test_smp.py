"""End-to-end tests of CPU bring-up (arch/x86_64/smp.c): every CPU QEMU
gives (-smp N, multi-threaded TCG) comes up and is counted on the boot line;
hot-pluggable CPUs (maxcpus above the CPUs present, which QEMU 7.2 lists in
the MADT as disabled) are listed and never started; the machine then works
as on one CPU (the APs park until the scheduler runs threads on them)."""
import re

SMP_RE = re.compile(r"smp: (\d+) CPUs online \(boot CPU APIC id (\d+)\); (\d+) online-capable "
                    r"and (\d+) disabled listed, not started")


def boot_line(ctx, smp, name):
    with ctx.machine(name=name, qmp=False, smp=smp) as m:
        m.wait_ready(60)
        m.expect("> ", 10)
        found = SMP_RE.search(m.output)
        assert found, m.output[-3000:]
        assert "did not answer" not in m.output, m.output[-3000:]
        assert "mm_check: 0 violations" in m.command("mmcheck", 60)
        return tuple(int(x) for x in found.groups())


def test_smp_every_cpu_comes_up(ctx):
    for smp in (1, 2, 4):
        online, boot_id, hotplug, disabled = boot_line(ctx, smp, "smp%d" % smp)
        assert (online, boot_id, hotplug, disabled) == (smp, 0, 0, 0), (smp, online, disabled)


def test_smp_hotpluggable_cpus_are_listed_not_started(ctx):
    online, _, hotplug, disabled = boot_line(ctx, "2,maxcpus=4", "smp-maxcpus")
    assert online == 2, online
    assert hotplug + disabled == 2, (hotplug, disabled)
