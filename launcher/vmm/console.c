/* console.c: the guest console (to stdout or a file), a minimal 16550 at 0x3f8, and the QEMU-style exit ports. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "error.h"
#include "unikit/boot_abi.h"
#include "vmm_internal.h"

#define UART_BASE 0x3f8
#define UART_PORTS 8
#define UART_THR 0 /* transmit holding register (write) */
#define UART_LSR 5 /* line status register (read) */
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40

int console_open(struct vmm *vmm, const char *path)
{
    if (path == NULL) {
        vmm->console_fd = STDOUT_FILENO;
        return 0;
    }
    vmm->console_fd =
        open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (vmm->console_fd < 0) {
        /* The QEMU backend's words (qemu.c), so both read the same. */
        struct uk_error err;
        uk_error_set(&err, errno, "console: cannot open `%s`", path);
        uk_error_print(&err);
        return -1;
    }
    return 0;
}

/* Writes all of buf, or returns -errno. */
int console_write(struct vmm *vmm, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    if (len > 0 && vmm->stats.t_first_output_ns == 0)
        vmm->stats.t_first_output_ns = now_ns();
    while (len > 0) {
        ssize_t n = write(vmm->console_fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* UART bytes arrive one exit each; they are gathered into lines so the
 * console sees whole writes, and flushed before any other console output. */
void console_flush_uart(struct vmm *vmm)
{
    if (vmm->uart_len > 0)
        (void)console_write(vmm, vmm->uart_buf, vmm->uart_len);
    vmm->uart_len = 0;
}

static int uart_io(struct vmm *vmm, void *ctx, uint64_t offset, bool is_write,
                   uint8_t *data, unsigned size)
{
    (void)ctx;
    (void)size;
    if (!is_write) {
        /* Always ready to send; every other register reads as 0. */
        if (offset == UART_LSR)
            data[0] = UART_LSR_THRE | UART_LSR_TEMT;
        return 0;
    }
    if (offset != UART_THR)
        return 0; /* line control, interrupt enable...: nothing to model */
    vmm->uart_buf[vmm->uart_len++] = data[0];
    if (data[0] == '\n' || vmm->uart_len == sizeof vmm->uart_buf)
        console_flush_uart(vmm);
    return 0;
}

static uint32_t port_value(const uint8_t *data, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)data[i] << (8 * i);
    return v;
}

/* The kernel's QEMU exit path: the status byte to UK_PORT_EXIT_STATUS, then
 * a write to UK_PORT_QEMU_EXIT. Both are honoured, so an image that only
 * knows isa-debug-exit still ends cleanly (status = value & 0xff). */
static int exit_status_io(struct vmm *vmm, void *ctx, uint64_t offset,
                          bool is_write, uint8_t *data, unsigned size)
{
    (void)ctx;
    (void)offset;
    if (!is_write)
        return 0; /* reads as 0 */
    vmm->status_port_written = true;
    vmm->status_port_value = (int)(port_value(data, size) & 0xff);
    return 0;
}

static int qemu_exit_io(struct vmm *vmm, void *ctx, uint64_t offset,
                        bool is_write, uint8_t *data, unsigned size)
{
    (void)ctx;
    (void)offset;
    if (!is_write)
        return 0; /* reads as 0 */
    int status = vmm->status_port_written
                     ? vmm->status_port_value
                     : (int)(port_value(data, size) & 0xff);
    vmm_stop(vmm, status);
    return 0;
}

int console_register(struct vmm *vmm)
{
    if (io_register(&vmm->pio, UART_BASE, UART_PORTS, uart_io, NULL,
                    "16550 UART") < 0 ||
        io_register(&vmm->pio, UK_PORT_EXIT_STATUS, 1, exit_status_io, NULL,
                    "exit status port") < 0 ||
        io_register(&vmm->pio, UK_PORT_QEMU_EXIT, 4, qemu_exit_io, NULL,
                    "debug-exit port") < 0)
        return -1;
    return 0;
}

void console_close(struct vmm *vmm)
{
    console_flush_uart(vmm);
    if (vmm->console_fd > STDERR_FILENO)
        close(vmm->console_fd);
}
