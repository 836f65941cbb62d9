/* seccomp.c: the VMM's system-call allowlist, installed on itself before the first KVM_RUN. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vmm_internal.h"

/*
 * Once the guest runs, the VMM only moves bytes between guest memory and the
 * descriptors it opened during setup (/dev/kvm, the image, the console, the
 * disks, later the tap), so that is all the filter lets it do: the calls
 * below, each with the reason it is needed, and ioctl only on the vCPU with
 * the requests listed. Anything else — open, socket, execve, mmap, a
 * 32-bit or x32 system call — kills the VMM process (SECCOMP_RET_KILL_PROCESS;
 * its parent, the launcher, reports it), never the host.
 *
 * A device that needs another call adds one line here, with its reason.
 */
static const struct {
    int nr;
    const char *name;
    const char *why;
} allowed_syscalls[] = {
    {SYS_read, "read", "timerfd expirations, the signal wake-up pipe, tap frames in"},
    {SYS_write, "write", "the console, the signal wake-up pipe"},
    {SYS_preadv, "preadv", "virtio-blk reads into guest buffers"},
    {SYS_pwritev, "pwritev", "virtio-blk writes from guest buffers"},
    {SYS_fdatasync, "fdatasync", "virtio-blk flush"},
    {SYS_writev, "writev", "virtio-net: a frame from guest buffers to the tap"},
    {SYS_epoll_ctl, "epoll_ctl", "virtio-net: the tap watched only while RX buffers wait"},
    {SYS_epoll_wait, "epoll_wait", "the wait hypercall blocks here"},
    {SYS_timerfd_settime, "timerfd_settime", "the wait hypercall's deadline"},
    {SYS_clock_gettime, "clock_gettime", "--stats times (when the vDSO falls back)"},
    {SYS_rt_sigreturn, "rt_sigreturn", "return from the SIGINT/SIGTERM handler"},
    {SYS_rt_sigaction, "rt_sigaction", "restore the signal handlers at the end"},
    {SYS_close, "close", "teardown"},
    {SYS_munmap, "munmap", "teardown: guest memory, kvm_run"},
    {SYS_exit_group, "exit_group", "the end"},
    {SYS_ioctl, "ioctl", "the vCPU only, requests below"},
};

static const struct {
    unsigned long request;
    const char *name;
    const char *why;
} allowed_ioctls[] = {
    {KVM_RUN, "KVM_RUN", "run the guest"},
    {KVM_GET_REGS, "KVM_GET_REGS", "register dump of a faulting guest"},
    {KVM_GET_SREGS, "KVM_GET_SREGS", "register dump of a faulting guest"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define NSYSCALLS COUNT(allowed_syscalls)
#define NIOCTLS COUNT(allowed_ioctls)

#define X32_SYSCALL_BIT 0x40000000u /* x32 system-call numbers have it */
#define ARG_LO(n) (offsetof(struct seccomp_data, args) + (n) * sizeof(__u64))
#define LOAD(off) ((struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off)))
#define RET(action) ((struct sock_filter)BPF_STMT(BPF_RET | BPF_K, (action)))
/* If A == k, skip (t) instructions, else (f). */
#define JEQ(k, t, f) ((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f)))

/* Header (5), one compare per syscall, kill, the ioctl check (3, one
 * compare per request, kill), allow. */
#define PROG_LEN (5 + NSYSCALLS + 1 + 3 + NIOCTLS + 1 + 1)

unsigned seccomp_allowlist_size(unsigned *nioctls)
{
    if (nioctls != NULL)
        *nioctls = NIOCTLS;
    return NSYSCALLS;
}

/*
 * The program, top to bottom: the architecture must be x86_64 (a 32-bit
 * `int $0x80` has other numbers); x32 numbers (bit 30) are refused; each
 * allowed number jumps to ALLOW, ioctl to its own check, anything else to
 * KILL. ioctl: fd (low 32 bits: the kernel takes an unsigned int) must be
 * the vCPU's and the request one of the table's.
 */
static unsigned build(struct sock_filter *p, int vcpu_fd)
{
    unsigned n = 0;
    p[n++] = LOAD(offsetof(struct seccomp_data, arch));
    p[n++] = JEQ(AUDIT_ARCH_X86_64, 1, 0);
    p[n++] = RET(SECCOMP_RET_KILL_PROCESS);
    p[n++] = LOAD(offsetof(struct seccomp_data, nr));
    p[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
                                          X32_SYSCALL_BIT, NSYSCALLS, 0);
    /* After the compares: [kill][ioctl check...]. */
    for (unsigned i = 0; i < NSYSCALLS; i++) {
        unsigned to_end = NSYSCALLS - 1 - i; /* compares left after this one */
        if (allowed_syscalls[i].nr == SYS_ioctl)
            p[n++] = JEQ((__u32)SYS_ioctl, (__u8)(to_end + 1), 0);
        else
            p[n++] = JEQ((__u32)allowed_syscalls[i].nr,
                         (__u8)(to_end + 1 + 3 + NIOCTLS + 1), 0);
    }
    p[n++] = RET(SECCOMP_RET_KILL_PROCESS);
    /* ioctl */
    p[n++] = LOAD(ARG_LO(0));
    p[n++] = JEQ((__u32)vcpu_fd, 0, (__u8)(1 + NIOCTLS));
    p[n++] = LOAD(ARG_LO(1));
    for (unsigned i = 0; i < NIOCTLS; i++)
        p[n++] = JEQ((__u32)allowed_ioctls[i].request,
                     (__u8)(NIOCTLS - i), 0);
    p[n++] = RET(SECCOMP_RET_KILL_PROCESS);
    p[n++] = RET(SECCOMP_RET_ALLOW);
    return n;
}

/* Every "allowed" jump lands on the last instruction; the longest jump,
 * from the first compare, must fit BPF's 8-bit offsets. */
_Static_assert(NSYSCALLS + 4 + NIOCTLS < 256, "a BPF jump offset is 8 bits");

int seccomp_install(struct vmm *vmm)
{
    struct sock_filter prog[PROG_LEN];
    struct sock_fprog fprog = {
        .len = (unsigned short)build(prog, vmm->vcpu_fd),
        .filter = prog,
    };
    /* Required for an unprivileged filter; also keeps a setuid exec from
     * ever gaining what the filter denies. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return vmm_fail(errno, "prctl(PR_SET_NO_NEW_PRIVS)");
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0)
        return vmm_fail(errno, "install the seccomp filter");
    vmm->confined = true;
    return 0;
}
