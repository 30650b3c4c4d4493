/*
 * 16550 UART on COM1: polled output (callable from any context, including
 * panic), interrupt-driven input into a ring buffer that a thread can block
 * on. Input that arrives while the buffer is full is dropped and counted.
 */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include "include/types.h"

/* Program COM1 for 115200 8N1 with FIFOs (output only; no interrupts yet). */
void serial_init(void);

/* Route the receive interrupt through the IOAPIC. Needs interrupts set up. */
void serial_enable_rx_irq(void);

/* Write @len bytes, turning "\n" into "\r\n". */
void serial_write(const char *s, size_t len);

/*
 * serial_getc - take one received byte.
 * Return: the byte (0..255), or -EAGAIN when none is buffered.
 * Context: any.
 */
int serial_getc(void);

/* Block the calling thread until a byte is available, then return it. */
int serial_getc_wait(void);

/* Bytes dropped because the receive buffer was full. */
u64 serial_rx_dropped(void);

#endif
