/* console.c: the console — a 16550 UART at 0x3f8 under QEMU, one hypercall per write under unikit's VMM. */
#include "io.h"
#include "kernel.h"

#define COM1 0x3f8
#define UART_THR 0 /* transmit holding (write) / receive buffer (read) */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_LSR 5
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define UART_FIFO_SIZE 16

void console_init(void)
{
    if (platform == PLATFORM_UKVM)
        return;
    outb(COM1 + UART_IER, 0x00); /* no UART interrupts: we poll */
    outb(COM1 + UART_LCR, 0x03); /* 8N1 */
    outb(COM1 + UART_FCR, 0x07); /* enable and clear the FIFOs */
}

/*
 * Every UART register access is a VM exit, so wait for an empty FIFO once
 * and then fill all 16 bytes of it, rather than polling before each byte.
 */
static void uart_write(const char *p, size_t len)
{
    while (len) {
        for (int spins = 0; !(inb(COM1 + UART_LSR) & LSR_THR_EMPTY) && spins < 1000000; spins++)
            cpu_relax();
        size_t chunk = len < UART_FIFO_SIZE ? len : UART_FIFO_SIZE;
        for (size_t i = 0; i < chunk; i++)
            outb(COM1 + UART_THR, (uint8_t)p[i]);
        p += chunk;
        len -= chunk;
    }
}

void uk_console_write(const void *buf, size_t len)
{
    if (platform == PLATFORM_UKVM) {
        struct uk_hc_console_write hc = {.data = (uintptr_t)buf, .len = len};
        hypercall(UK_HC_CONSOLE_WRITE, &hc);
        return;
    }
    uart_write(buf, len);
}

size_t uk_console_read(void *buf, size_t len)
{
    size_t n = 0;
    if (platform == PLATFORM_UKVM)
        return 0; /* TODO: console input under unikit's VMM needs a hypercall */
    char *p = buf;
    while (n < len && (inb(COM1 + UART_LSR) & LSR_DATA_READY))
        p[n++] = (char)inb(COM1 + UART_THR);
    return n;
}
