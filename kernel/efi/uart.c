/* uart.c: bytes straight to the 16550 at 0x3f8, for the console marker (no firmware calls). */
#include "stub.h"

#define COM1 0x3f8
#define LSR_THRE 0x20 /* transmit holding register empty */

static inline void outb(UINT16 port, UINT8 v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline UINT8 inb(UINT16 port)
{
    UINT8 v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

void stub_uart_puts(const char *s)
{
    for (; *s; s++) {
        /* Bounded: with no UART there, the read gives 0xff and this ends at once. */
        for (int i = 0; i < 100000 && !(inb(COM1 + 5) & LSR_THRE); i++)
            ;
        outb(COM1, (UINT8)*s);
    }
}
