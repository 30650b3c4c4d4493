/*
 * The virtio-balloon on PCI, in the kernel: finds the device, runs the
 * balloon core (balloon.h) over the PCI transport for kernel_mm in its own
 * thread, woken by the device's INTx (or polling the config when there is
 * none), and provides the `balloon` monitor command and the command-line
 * parameters balloon=off|on and balloon.batch=N.
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

/* Is @dev the device the balloon driver drives? */
bool balloon_owns(const struct pci_dev *dev);

#endif
