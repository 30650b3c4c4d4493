/*
 * 16550 UART driver for COM1 (port 0x3f8, ISA IRQ 4).
 *
 * Output is polled: wait for the transmit holding register to empty, write a
 * byte. It never sleeps and takes no lock (printk serialises lines).
 * Input: the IRQ handler drains the receive FIFO into a ring buffer
 * [rx_tail, rx_head) and wakes the readers' wait queue. The ring's indices
 * are written only with interrupts off.
 */
#include "drivers/serial.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/ioapic.h"
#include "include/errno.h"
#include "kernel/printk.h"
#include "kernel/sched.h"

#define COM1 0x3f8
#define UART_DATA 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

#define RX_SIZE 1024 /* power of two */

static u8 rx_buf[RX_SIZE];
static volatile unsigned int rx_head, rx_tail;
static u64 rx_dropped;
static struct waitq rx_waitq;
static bool present;

void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80); /* DLAB */
	outb(COM1 + UART_DATA, 0x01); /* divisor 1: 115200 baud */
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x03); /* 8N1 */
	outb(COM1 + UART_FCR, 0xc7); /* FIFO on, cleared, 14-byte trigger */
	outb(COM1 + UART_MCR, 0x0b); /* DTR, RTS, OUT2 (IRQ gate) */
	/* A missing UART reads back 0xff. */
	present = inb(COM1 + UART_LSR) != 0xff;
	waitq_init(&rx_waitq);
}

static void serial_putc(char c)
{
	unsigned int spins = 0;

	if (!present)
		return;
	while (!(inb(COM1 + UART_LSR) & LSR_THR_EMPTY) && ++spins < 1000000)
		cpu_relax();
	outb(COM1 + UART_DATA, (u8)c);
}

void serial_write(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

static void serial_irq(void *arg)
{
	bool got = false;

	(void)arg;
	while (inb(COM1 + UART_LSR) & LSR_DATA_READY) {
		u8 c = inb(COM1 + UART_DATA);

		if (rx_head - rx_tail == RX_SIZE) {
			rx_dropped++;
			continue;
		}
		rx_buf[rx_head % RX_SIZE] = c;
		rx_head++;
		got = true;
	}
	if (got)
		wake_up(&rx_waitq);
}

void serial_enable_rx_irq(void)
{
	int vec = ioapic_route_isa(4, serial_irq, NULL, "serial");

	if (vec < 0) {
		pr_err("serial: cannot route IRQ 4 (%d); input is unavailable\n", vec);
		return;
	}
	outb(COM1 + UART_IER, 0x01); /* data-available interrupt */
	serial_irq(NULL);            /* anything that came before */
}

int serial_getc(void)
{
	unsigned long flags = irq_save();
	int c = -EAGAIN;

	if (rx_tail != rx_head) {
		c = rx_buf[rx_tail % RX_SIZE];
		rx_tail++;
	}
	irq_restore(flags);
	return c;
}

int serial_getc_wait(void)
{
	int c;

	wait_event(&rx_waitq, (c = serial_getc()) >= 0);
	return c;
}

u64 serial_rx_dropped(void) { return rx_dropped; }
