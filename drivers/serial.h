/*
 * 16550 UARTs on COM1 (the console: kernel log and the interactive monitor)
 * and COM2 (a second monitor for scripts, tools/monitor.py). Polled output
 * (callable from any context, including panic), interrupt-driven input into
 * one ring buffer per port that a thread can block on. Input that arrives
 * while a buffer is full is dropped and counted.
 */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include "include/types.h"

enum serial_port {
	SERIAL_COM1, /* the console */
	SERIAL_COM2, /* the scripting monitor */
	SERIAL_NR_PORTS,
};

/* Program COM1 and COM2 for 115200 8N1 with FIFOs (output only; no interrupts yet). */
void serial_init(void);

/* Route the receive interrupts through the IOAPIC. Needs interrupts set up. */
void serial_enable_rx_irq(void);

/* Write @len bytes to COM1, turning "\n" into "\r\n". */
void serial_write(const char *s, size_t len);

/*
 * serial_port_write - write @len bytes to @port, turning "\n" into "\r\n".
 * Bytes for a port that is absent (or out of range) are discarded.
 * Context: any; never sleeps, takes no lock.
 */
void serial_port_write(enum serial_port port, const char *s, size_t len);

/*
 * serial_port_present - did @port answer at serial_init()?
 * Return: true when a UART is there.
 */
bool serial_port_present(enum serial_port port);

/*
 * serial_getc - take one byte received on COM1.
 * Return: the byte (0..255), or -EAGAIN when none is buffered.
 * Context: any.
 */
int serial_getc(void);

/*
 * serial_port_getc - take one byte received on @port.
 * Return: the byte (0..255), -EAGAIN when none is buffered, -EINVAL for a
 * bad port.
 * Context: any.
 */
int serial_port_getc(enum serial_port port);

/* Block the calling thread until a byte arrives on COM1, then return it. */
int serial_getc_wait(void);

/*
 * serial_port_getc_wait - block until a byte arrives on @port.
 * Return: the byte (0..255), or -EINVAL for a bad port.
 * Context: thread context, no spinlock held.
 */
int serial_port_getc_wait(enum serial_port port);

/* Bytes dropped on COM1 because its receive buffer was full. */
u64 serial_rx_dropped(void);

#endif
