/* The legacy 8259 pair: remapped away from the exception vectors and masked
 * (the kernel uses the LAPIC and IOAPIC instead). */
#ifndef ARCH_X86_64_PIC_H
#define ARCH_X86_64_PIC_H

void pic_disable(void);

#endif
