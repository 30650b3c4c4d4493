/*
 * virtio-mem on PCI, in the kernel (first slice, issue 20): finds the
 * device, negotiates VERSION_1 (and UNPLUGGED_INACCESSIBLE when offered),
 * reads its config with the generation check and checks it
 * (virtio_mem.h), and reports it at boot. A device whose config breaks
 * the spec's promises is failed and left alone. Plugging, unplugging and
 * memory hot-add are not built yet: the device stays unplugged.
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_MEM_PCI_H
#define DRIVERS_VIRTIO_VIRTIO_MEM_PCI_H

/*
 * virtio_mem_init - probe the virtio-mem device, if there is one.
 * Context: boot, thread context, after pci_init().
 */
void virtio_mem_init(void);

#endif
