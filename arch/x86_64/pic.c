/*
 * GRUB leaves the 8259 PICs programmed with IRQ 0-7 on vectors 8-15, on top
 * of the CPU exceptions. Reinitialise both to vectors 0x20-0x2f and mask
 * every line, so a stray legacy interrupt can never look like a double fault.
 */
#include "arch/x86_64/pic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1

void pic_disable(void)
{
	outb(PIC1_CMD, 0x11); /* ICW1: init, ICW4 follows */
	io_wait();
	outb(PIC2_CMD, 0x11);
	io_wait();
	outb(PIC1_DATA, VEC_PIC_BASE); /* ICW2: vector offsets */
	io_wait();
	outb(PIC2_DATA, VEC_PIC_BASE + 8);
	io_wait();
	outb(PIC1_DATA, 4); /* ICW3: slave on IRQ2 */
	io_wait();
	outb(PIC2_DATA, 2);
	io_wait();
	outb(PIC1_DATA, 1); /* ICW4: 8086 mode */
	io_wait();
	outb(PIC2_DATA, 1);
	io_wait();
	outb(PIC1_DATA, 0xff); /* mask everything */
	outb(PIC2_DATA, 0xff);
}
