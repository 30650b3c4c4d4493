/*
 * The virtio-balloon on PCI, in the kernel: finds the device, runs the
 * balloon core (balloon.h) over the PCI transport for kernel_mm in its own
 * thread, woken by the device's INTx (or polling the config when there is
 * none; with one, num_pages is still reread every second, and a change no
 * interrupt announced is counted and logged), and provides the command-line parameters balloon=off|on,
 * balloon.batch=N and balloon.policy= and the status the `balloon` monitor
 * command prints (monitor/balloon.c).
 *
 * Locking: the balloon thread is the core's only caller; the interrupt
 * handler sets the core's pending flags and wakes it; the monitor reads the
 * counters (cooperative scheduling: never a half-done batch).
 */
#ifndef DRIVERS_VIRTIO_BALLOON_PCI_H
#define DRIVERS_VIRTIO_BALLOON_PCI_H

#include "drivers/pci.h"
#include "drivers/virtio/balloon.h"

/*
 * balloon_init - find the virtio-balloon, start the core and its thread.
 * Does nothing when booted with balloon=off or when no device is present.
 * Context: boot, thread context, after pci_init() and sched init.
 */
void balloon_init(void);

/* What the `balloon` monitor command shows. */
struct balloon_pci_status {
	const struct balloon_info *info; /* the core's counters */
	const struct pci_dev *dev;       /* the device; NULL when none was found */
	bool disabled;                   /* booted with balloon=off */
	enum balloon_policy policy;
	unsigned long config_irqs;       /* config-change interrupts taken */
	unsigned long config_missed;     /* target changes found by the safety reread */
	unsigned long pages, xa_nodes;   /* inflated pages, their xarray nodes */
};

/* Fill @st from the driver's state (counters read racily, as a snapshot). */
void balloon_pci_status(struct balloon_pci_status *st);

/* Is @dev the device the balloon driver drives? */
bool balloon_owns(const struct pci_dev *dev);

#endif
