/* seccomp.c: the container's system-call allowlist (x86_64), installed by its init before the app starts. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container.h"
#include "container_internal.h"

/*
 * What a static Linux server or tool needs: files, sockets, memory, time,
 * processes, threads and signals. Left out, so that they fail with EPERM:
 * everything that administers the machine or widens the kernel's exposure —
 * mount, pivot_root, namespaces (unshare, setns, and the CLONE_NEW* flags
 * of clone), bpf, perf_event_open, ptrace and process_vm_*, keyctl and its
 * kin, kexec, modules, reboot, swap, clock setting, quotas, iopl/ioperm,
 * personality, userfaultfd, open_by_handle_at, syslog, acct. clone3 says
 * ENOSYS, since its flags sit in memory the filter cannot read; libc falls
 * back to clone, whose flags it can.
 */
static const int allowed[] = {
    /* files and descriptors */
    SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_pread64, SYS_pwrite64, SYS_preadv,
    SYS_pwritev, SYS_open, SYS_openat, SYS_creat, SYS_close, SYS_close_range, SYS_lseek,
    SYS_stat, SYS_fstat, SYS_lstat, SYS_newfstatat, SYS_statx, SYS_statfs, SYS_fstatfs,
    SYS_access, SYS_faccessat, SYS_faccessat2, SYS_dup, SYS_dup2, SYS_dup3, SYS_fcntl,
    SYS_flock, SYS_fsync, SYS_fdatasync, SYS_truncate, SYS_ftruncate, SYS_fallocate,
    SYS_fadvise64, SYS_getdents64, SYS_getcwd, SYS_chdir, SYS_fchdir, SYS_rename,
    SYS_renameat, SYS_renameat2, SYS_mkdir, SYS_mkdirat, SYS_rmdir, SYS_link, SYS_linkat,
    SYS_unlink, SYS_unlinkat, SYS_symlink, SYS_symlinkat, SYS_readlink, SYS_readlinkat,
    SYS_chmod, SYS_fchmod, SYS_fchmodat, SYS_chown, SYS_fchown, SYS_lchown, SYS_fchownat,
    SYS_umask, SYS_utimensat, SYS_ioctl, SYS_pipe, SYS_pipe2, SYS_sendfile,
    SYS_copy_file_range, SYS_splice, SYS_memfd_create, SYS_getxattr, SYS_fgetxattr,
    /* waiting for descriptors */
    SYS_poll, SYS_ppoll, SYS_select, SYS_pselect6, SYS_epoll_create, SYS_epoll_create1,
    SYS_epoll_ctl, SYS_epoll_wait, SYS_epoll_pwait, SYS_eventfd, SYS_eventfd2,
    SYS_timerfd_create, SYS_timerfd_settime, SYS_timerfd_gettime, SYS_signalfd,
    SYS_signalfd4,
    /* sockets */
    SYS_socket, SYS_socketpair, SYS_bind, SYS_listen, SYS_accept, SYS_accept4,
    SYS_connect, SYS_shutdown, SYS_getsockname, SYS_getpeername, SYS_setsockopt,
    SYS_getsockopt, SYS_sendto, SYS_recvfrom, SYS_sendmsg, SYS_recvmsg, SYS_sendmmsg,
    SYS_recvmmsg,
    /* memory */
    SYS_brk, SYS_mmap, SYS_munmap, SYS_mprotect, SYS_mremap, SYS_madvise, SYS_msync,
    SYS_mincore, SYS_mlock, SYS_munlock,
    /* time */
    SYS_clock_gettime, SYS_clock_getres, SYS_clock_nanosleep, SYS_nanosleep,
    SYS_gettimeofday, SYS_time, SYS_times, SYS_getitimer, SYS_setitimer, SYS_alarm,
    /* processes, threads, identity */
    SYS_execve, SYS_exit, SYS_exit_group, SYS_wait4, SYS_waitid, SYS_fork, SYS_vfork,
    SYS_getpid, SYS_getppid, SYS_gettid, SYS_getpgrp, SYS_getpgid, SYS_setpgid, SYS_getsid,
    SYS_setsid, SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid, SYS_getresuid,
    SYS_getresgid, SYS_getgroups, SYS_setuid, SYS_setgid, SYS_setresuid, SYS_setresgid,
    SYS_setgroups, SYS_uname, SYS_sysinfo, SYS_getrlimit, SYS_setrlimit, SYS_prlimit64,
    SYS_getrusage, SYS_getpriority, SYS_setpriority, SYS_sched_yield,
    SYS_sched_getaffinity, SYS_sched_setaffinity, SYS_sched_getparam,
    SYS_sched_getscheduler, SYS_prctl, SYS_arch_prctl, SYS_set_tid_address, SYS_futex,
    SYS_set_robust_list, SYS_get_robust_list, SYS_rseq, SYS_getrandom, SYS_restart_syscall,
    /* signals */
    SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigreturn, SYS_rt_sigpending,
    SYS_rt_sigtimedwait, SYS_rt_sigsuspend, SYS_rt_sigqueueinfo, SYS_sigaltstack,
    SYS_pause, SYS_kill, SYS_tgkill, SYS_tkill,
};

#define NALLOWED (sizeof(allowed) / sizeof(allowed[0]))
#define X32_SYSCALL_BIT 0x40000000u
/* The namespace flags a process may not pass to clone. */
#define CLONE_NS_MASK (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | \
                       CLONE_NEWIPC | CLONE_NEWCGROUP | CLONE_NEWTIME)

#define STMT(code, k) ((struct sock_filter)BPF_STMT((code), (k)))
#define JUMP(code, k, t, f) ((struct sock_filter)BPF_JUMP((code), (k), (t), (f)))
#define DENY(e) STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (e))
#define ALLOW STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/* clone counts as one more allowed call (with a check of its flags). */
unsigned container_seccomp_allowlist_size(void)
{
    return NALLOWED + 1;
}

int seccomp_install_container(struct uk_error *err)
{
    /* header 6, clone 5, clone3 2, two per allowed call, the default 1 */
    struct sock_filter prog[6 + 5 + 2 + 2 * NALLOWED + 1];
    struct sock_fprog fprog = {.filter = prog};
    unsigned n = 0;

    /* Another architecture's numbers would mean other calls: kill; x32's: refuse. */
    prog[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
    prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    prog[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
    prog[n++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1);
    prog[n++] = DENY(EPERM);
    /* clone: allowed without namespace flags (its flags are args[0], low word on little-endian). */
    prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 4);
    prog[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args));
    prog[n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NS_MASK, 0, 1);
    prog[n++] = DENY(EPERM);
    prog[n++] = ALLOW;
    prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1);
    prog[n++] = DENY(ENOSYS);
    for (unsigned i = 0; i < NALLOWED; i++) {
        prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)allowed[i], 0, 1);
        prog[n++] = ALLOW;
    }
    prog[n++] = DENY(EPERM);
    fprog.len = (unsigned short)n;
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) < 0)
        return uk_error_set(err, errno, "container: seccomp: install the allowlist");
    return 0;
}
