/*
 * 16550 UART driver for COM1 (port 0x3f8, ISA IRQ 4) and COM2 (port 0x2f8,
 * ISA IRQ 3).
 *
 * Output is polled: wait for the transmit holding register to empty, write a
 * byte. It never sleeps and takes no lock (printk serialises lines).
 * Input: the IRQ handler drains a port's receive FIFO into that port's ring
 * buffer [rx_tail, rx_head) and wakes its readers' wait queue. The ring and
 * its counters are under the port's rx_lock (irq-saving): the handler runs
 * on the CPU the IOAPIC routes to, a reader on any.
 *
 * Nothing typed before the kernel runs is lost. Changing the FIFO-enable bit
 * empties the receive FIFO, and with the FIFO off a 16550 holds one byte
 * while the sender (QEMU's character device) keeps the rest until that byte
 * is read. So serial_init() first moves what arrives into the ring until the
 * line has been quiet for RX_QUIET_POLLS reads of the line status, and only
 * then switches the FIFO on; if the FIFO is on already it is left alone.
 */
#include "drivers/serial.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/ioapic.h"
#include "include/errno.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/spinlock.h"

#define UART_DATA 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_IIR UART_FCR /* read side of the FCR port */
#define IIR_FIFO_ON 0xc0
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

#define RX_SIZE 1024 /* power of two */
/* Empty line-status reads after the last byte that count as "no more input". */
#define RX_QUIET_POLLS 20000

struct uart {
	const char *name;
	u16 base;                        /* (C) I/O port base */
	u8 isa_irq;                      /* (C) */
	bool present;                    /* (C) after serial_init() */
	struct spinlock rx_lock;
	u8 rx_buf[RX_SIZE];              /* (R) written by the IRQ handler */
	unsigned int rx_head;            /* (R) */
	unsigned int rx_tail;            /* (R) */
	u64 rx_dropped;                  /* (R) */
	struct waitq rx_waitq;           /* readers waiting for input */
};

/* Lock legend: (C) constant after init, (R) under rx_lock. */
static struct uart uarts[SERIAL_NR_PORTS] = {
	[SERIAL_COM1] = { .name = "serial-com1", .base = 0x3f8, .isa_irq = 4,
			  .rx_lock = SPINLOCK_INIT("serial-rx") },
	[SERIAL_COM2] = { .name = "serial-com2", .base = 0x2f8, .isa_irq = 3,
			  .rx_lock = SPINLOCK_INIT("serial-rx") },
};

static struct uart *uart_get(enum serial_port port)
{
	return (unsigned int)port < SERIAL_NR_PORTS ? &uarts[port] : NULL;
}

/*
 * Move every byte the UART holds into the ring. Context: interrupts off or
 * the port's IRQ not yet routed. Return: the number of bytes read.
 */
static unsigned int uart_rx_drain(struct uart *uart)
{
	unsigned long flags = spin_lock_irqsave(&uart->rx_lock);
	unsigned int n = 0;

	/* Bounded: a broken UART that always says "data ready" must not hang. */
	while (n < RX_SIZE && (inb(uart->base + UART_LSR) & LSR_DATA_READY)) {
		u8 c = inb(uart->base + UART_DATA);

		n++;
		if (uart->rx_head - uart->rx_tail == RX_SIZE) {
			uart->rx_dropped++;
			continue;
		}
		uart->rx_buf[uart->rx_head % RX_SIZE] = c;
		uart->rx_head++;
	}
	spin_unlock_irqrestore(&uart->rx_lock, flags);
	return n;
}

/*
 * Before the FIFO is switched on: take bytes until the line is quiet (bounded
 * by the ring's size, so a sender that never stops cannot hang the boot).
 */
static void uart_rx_drain_until_quiet(struct uart *uart)
{
	unsigned int quiet = 0, taken = 0;

	while (quiet < RX_QUIET_POLLS && taken < RX_SIZE) {
		unsigned int n = uart_rx_drain(uart);

		taken += n;
		quiet = n ? 0 : quiet + 1;
	}
}

static void uart_init(struct uart *uart)
{
	/* A missing UART reads back 0xff. */
	uart->present = inb(uart->base + UART_LSR) != 0xff;
	waitq_init(&uart->rx_waitq);
	if (!uart->present)
		return;
	outb(uart->base + UART_IER, 0x00);
	outb(uart->base + UART_LCR, 0x80); /* DLAB */
	outb(uart->base + UART_DATA, 0x01); /* divisor 1: 115200 baud */
	outb(uart->base + UART_IER, 0x00);
	outb(uart->base + UART_LCR, 0x03); /* 8N1 */
	if ((inb(uart->base + UART_IIR) & IIR_FIFO_ON) != IIR_FIFO_ON) {
		if (inb(uart->base + UART_LSR) & LSR_DATA_READY)
			uart_rx_drain_until_quiet(uart);
		/* FIFO on, 14-byte trigger; no explicit clear (the switch clears) */
		outb(uart->base + UART_FCR, 0xc1);
	}
	outb(uart->base + UART_MCR, 0x0b); /* DTR, RTS, OUT2 (IRQ gate) */
}

void serial_init(void)
{
	unsigned int i;

	for (i = 0; i < SERIAL_NR_PORTS; i++)
		uart_init(&uarts[i]);
}

bool serial_port_present(enum serial_port port)
{
	struct uart *uart = uart_get(port);

	return uart && uart->present;
}

static void uart_putc(struct uart *uart, char c)
{
	unsigned int spins = 0;

	while (!(inb(uart->base + UART_LSR) & LSR_THR_EMPTY) && ++spins < 1000000)
		cpu_relax();
	outb(uart->base + UART_DATA, (u8)c);
}

void serial_port_write(enum serial_port port, const char *s, size_t len)
{
	struct uart *uart = uart_get(port);
	size_t i;

	if (!uart || !uart->present)
		return;
	for (i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc(uart, '\r');
		uart_putc(uart, s[i]);
	}
}

void serial_write(const char *s, size_t len) { serial_port_write(SERIAL_COM1, s, len); }

static void serial_irq(void *arg)
{
	struct uart *uart = arg;

	if (uart_rx_drain(uart) > 0)
		wake_up(&uart->rx_waitq);
}

static void uart_enable_rx_irq(struct uart *uart)
{
	int vec;

	if (!uart->present)
		return;
	vec = ioapic_route_isa(uart->isa_irq, serial_irq, uart, uart->name);
	if (vec < 0) {
		pr_err("serial: cannot route IRQ %u for %s (%d); its input is unavailable\n",
		       uart->isa_irq, uart->name, vec);
		return;
	}
	outb(uart->base + UART_IER, 0x01); /* data-available interrupt */
	serial_irq(uart);                   /* anything that came before */
}

void serial_enable_rx_irq(void)
{
	unsigned int i;

	for (i = 0; i < SERIAL_NR_PORTS; i++)
		uart_enable_rx_irq(&uarts[i]);
}

int serial_port_getc(enum serial_port port)
{
	struct uart *uart = uart_get(port);
	unsigned long flags;
	int c = -EAGAIN;

	if (!uart)
		return -EINVAL;
	flags = spin_lock_irqsave(&uart->rx_lock);
	if (uart->rx_tail != uart->rx_head) {
		c = uart->rx_buf[uart->rx_tail % RX_SIZE];
		uart->rx_tail++;
	}
	spin_unlock_irqrestore(&uart->rx_lock, flags);
	return c;
}

int serial_getc(void) { return serial_port_getc(SERIAL_COM1); }

int serial_port_getc_wait(enum serial_port port)
{
	struct uart *uart = uart_get(port);
	int c;

	if (!uart)
		return -EINVAL;
	wait_event(&uart->rx_waitq, (c = serial_port_getc(port)) >= 0);
	return c;
}

int serial_getc_wait(void) { return serial_port_getc_wait(SERIAL_COM1); }

u64 serial_rx_dropped(void) { return READ_ONCE(uarts[SERIAL_COM1].rx_dropped); }
