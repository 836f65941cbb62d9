/* vmm_internal.h: what the files of unikit's own VMM offer each other. */
#ifndef UNIKIT_VMM_INTERNAL_H
#define UNIKIT_VMM_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "run_config.h"

/*
 * Guest-physical layout (one vCPU, no interrupt controller):
 *
 *   0x0000_0000  RAM (low 640 KiB); the boot info lives at VMM_BOOT_INFO
 *   0x0010_0000  RAM: the image (UK_IMAGE_BASE), then free RAM up to mem size
 *   0xd000_0000  virtio-mmio windows, VMM_VIRTIO_SIZE each
 */
#define VMM_DEFAULT_MEM (32ull << 20)
#define VMM_MIN_MEM (2ull << 20)
#define VMM_MAX_MEM 0xc0000000ull /* stays below the MMIO windows */
#define VMM_LOW_RAM_END 0xa0000ull
#define VMM_BOOT_INFO 0x6000ull    /* start info, memmap, then command line */
#define VMM_BOOT_STACK VMM_BOOT_INFO /* %esp at entry; grows down */
#define VMM_VIRTIO_BASE 0xd0000000ull
#define VMM_VIRTIO_SIZE 0x1000ull
#define VMM_VIRTIO_IRQ_BASE 5 /* IRQ numbers named on the command line only */
#define VMM_MAX_DISKS RUN_MAX_DISKS

_Static_assert(RUN_MAX_MEM <= VMM_MAX_MEM, "-m may reach the MMIO windows");

/* ---- mem.c: the one checked accessor for guest-physical addresses ---- */

struct guest_mem {
    uint8_t *base;
    uint64_t size;
};

/* Host pointer to [gpa, gpa + len) or NULL if any byte is outside RAM. */
void *gpa_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len);
bool gpa_range_ok(const struct guest_mem *mem, uint64_t gpa, uint64_t len);

/* ---- err.c ---- */

/* Prints "unikit: vmm: <what>: <strerror(err)>" (no strerror if err is 0)
 * and returns -1, so that a failure is reported once where it happens. */
int vmm_fail(int err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints "unikit: vmm: <what>" about the guest (no errno). */
void vmm_guest_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* ---- the VMM state ---- */

struct vmm;
struct kvm_run;

/* An I/O or MMIO handler: offset is relative to the registered start; data
 * holds size bytes (zeroed before a read, so unset bytes read as 0).
 * Returns 0, or -1 after a message (a VMM failure, status 125). A handler
 * that ends the guest calls vmm_stop(). */
typedef int io_handler(struct vmm *vmm, void *ctx, uint64_t offset,
                       bool is_write, uint8_t *data, unsigned size);

struct io_range {
    uint64_t start, len;
    io_handler *handler;
    void *ctx;
    const char *name;
    uint64_t exits; /* for --stats */
};

#define VMM_MAX_RANGES 32

struct io_table {
    struct io_range ranges[VMM_MAX_RANGES];
    unsigned count;
};

#define VMM_EXIT_REASONS 64

struct vmm_stats {
    uint64_t exits_by_reason[VMM_EXIT_REASONS];
    uint64_t t_start_ns;       /* vmm_boot entered */
    uint64_t t_first_run_ns;   /* first KVM_RUN issued */
    uint64_t t_first_exit_ns;  /* first exit back from the guest */
    uint64_t t_first_output_ns; /* first console byte */
    uint64_t t_end_ns;
};

struct vdev;

struct vmm {
    const struct run_config *cfg;
    int kvm_fd, vm_fd, vcpu_fd;
    struct kvm_run *run;
    size_t run_size;
    struct guest_mem mem;
    uint32_t tsc_khz;
    struct io_table pio, mmio;
    int console_fd;
    uint8_t uart_buf[256];
    unsigned uart_len;
    struct vdev *vdevs[VMM_MAX_DISKS];
    unsigned nvdevs;
    struct vdev *net; /* the virtio-net device, last in vdevs; NULL without --net */
    int epoll_fd, timer_fd;
    struct vmm_stats stats;
    bool confined; /* the seccomp filter is on (seccomp.c) */
    bool stopped;
    int exit_status;
    bool status_port_written; /* UK_PORT_EXIT_STATUS seen */
    int status_port_value;
};

/* vmm.c: builds the machine, runs it, returns its status (vmm_run's
 * contract, vmm.h), all in this process: the body of sandbox.c's child. */
int vmm_boot(const struct run_config *cfg);

/* seccomp.c: confines this process to the calls the running VMM needs;
 * the last step of setup, after every descriptor is open. */
int seccomp_install(struct vmm *vmm);
/* The number of allowed system calls (ioctl counted once), and in
 * (*nioctls) the number of allowed ioctl requests. */
unsigned seccomp_allowlist_size(unsigned *nioctls);

/* kvm.c */
int kvm_open(struct vmm *vmm);
int kvm_map_memory(struct vmm *vmm, uint64_t bytes);
int kvm_create_vcpu(struct vmm *vmm);
void kvm_close(struct vmm *vmm);

/* load.c */
int load_image(struct vmm *vmm);

/* cmdline.c */
int cmdline_build(const struct vmm *vmm, char *out, size_t cap);

/* io.c */
int io_register(struct io_table *table, uint64_t start, uint64_t len,
                io_handler *handler, void *ctx, const char *name);
struct io_range *io_lookup(struct io_table *table, uint64_t addr,
                           unsigned size);

/* vcpu.c */
int vcpu_loop(struct vmm *vmm);
void vmm_stop(struct vmm *vmm, int status);
void vcpu_dump(struct vmm *vmm, const char *why);

/* signals.c */
int signals_install(struct vmm *vmm);
int signals_pending(void); /* the signal that asks us to stop, or 0 */
int signals_wake_fd(void); /* readable once a stop signal arrived */
/* Stop notices (boot_abi.h): the guest accepts them; take one that arrived (once). */
void signals_accept_stop(void);
bool signals_take_stop_notice(void);
bool signals_stop_notice_pending(void);
void signals_restore(void);

/* console.c */
int console_open(struct vmm *vmm, const char *path);
int console_write(struct vmm *vmm, const void *buf, size_t len);
void console_flush_uart(struct vmm *vmm);
int console_register(struct vmm *vmm);
void console_close(struct vmm *vmm);

/* hypercall.c */
int hypercall_register(struct vmm *vmm);

/* wait.c */
int wait_init(struct vmm *vmm);
/* deadline_ns and now_ns on the guest's clock (struct uk_hc_wait). */
int wait_for_work(struct vmm *vmm, uint64_t deadline_ns, uint64_t now_ns,
                  uint64_t *ready);
void wait_close(struct vmm *vmm);

/* stats.c */
uint64_t now_ns(void);
void stats_print(const struct vmm *vmm);
const char *exit_reason_name(uint32_t reason);

#endif /* UNIKIT_VMM_INTERNAL_H */
