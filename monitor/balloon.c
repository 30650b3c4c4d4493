/*
 * Monitor command `balloon`: the virtio-balloon driver's state and counters
 * (target, actual, inflated pages, batches, timings, errors, migration,
 * deflate-on-OOM, free page reporting, stats), from balloon_pci_status().
 * Holds no state.
 */
#include "drivers/virtio/balloon_pci.h"
#include "kernel/printk.h"
#include "monitor/monitor.h"

static int cmd_balloon(int argc, char **argv)
{
	struct balloon_pci_status st;
	const struct balloon_info *in;
	const struct pci_dev *dev;

	balloon_pci_status(&st);
	in = st.info;
	dev = st.dev;

	if (!in->active && !in->broken) {
		kprintf("balloon: %s\n", st.disabled ? "off (balloon=off)" : "no device");
		return 0;
	}
	kprintf("device:     %02x:%02x.%u %04x:%04x features %#lx%s\n", dev->bus, dev->slot, dev->fn,
		dev->vendor, dev->device, (unsigned long)in->features, in->broken ? " BROKEN" : "");
	kprintf("num_pages:  %u (host)\n", in->num_pages);
	kprintf("target:     %u pages (%u MiB)\n", in->target, in->target >> 8);
	kprintf("actual:     %u pages (%u MiB)\n", in->actual, in->actual >> 8);
	kprintf("inflated:   %lu pages, %lu xarray nodes\n", st.pages, st.xa_nodes);
	kprintf("batch:      %u PFNs per buffer, %s policy\n", in->batch,
		st.policy == BALLOON_POLICY_AWARE ? "aware" : "naive");
	kprintf("batches:    %lu inflate, %lu deflate (%lu/%lu pages since boot)\n",
		in->inflate_batches, in->deflate_batches, in->pages_inflated, in->pages_deflated);
	kprintf("guest_ns:   inflate %lu deflate %lu\n", (unsigned long)in->inflate_ns,
		(unsigned long)in->deflate_ns);
	kprintf("wait_ns:    inflate %lu deflate %lu\n", (unsigned long)in->inflate_wait_ns,
		(unsigned long)in->deflate_wait_ns);
	kprintf("errors:     %lu device, %lu clamps, %lu alloc short, %lu xa -ENOMEM\n",
		in->errors, in->clamps, in->alloc_fail, in->xa_enomem);
	kprintf("migration:  %lu migrated, %lu failed, %lu released while isolated, "
		"%lu isolated now, %lu ns per page\n", in->migrated, in->migrate_fail,
		in->released_isolated, in->isolated,
		in->migrated ? (unsigned long)(in->migrate_ns / in->migrated) : 0UL);
	if (in->features & VIRTIO_BALLOON_F_DEFLATE_ON_OOM)
		kprintf("oom:        %lu deflations, %lu pages given back\n", in->oom_deflations,
			in->oom_pages);
	else
		kprintf("oom:        deflate-on-OOM not offered\n");
	if (in->features & VIRTIO_BALLOON_F_REPORTING)
		kprintf("reporting:  %lu rounds, %lu blocks, %lu MiB reported, %lu failed\n",
			in->report_rounds, in->report_blocks, in->report_pages >> 8,
			in->report_fail);
	else
		kprintf("reporting:  off (not offered, or poisoning without PAGE_POISON)\n");
	kprintf("config irqs: %lu (%lu changes without one)\n", st.config_irqs, st.config_missed);
	if (in->features & VIRTIO_BALLOON_F_STATS_VQ)
		kprintf("stats:      %lu requests answered\n", in->stats_requests);
	else
		kprintf("stats:      not negotiated\n");
	return 0;
}
MONITOR_CMD("balloon", 0, 0, "", "virtio-balloon target, actual, inflated pages, batches, errors",
	    cmd_balloon);
