/* test_seccomp.c: the VMM's seccomp filter, installed in child processes: what it lets through and what kills. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../../tests/unit/check.h"
#include "../vmm_internal.h"

/* A pipe stands in for the vCPU: the filter only looks at fd numbers. */
static int fake_vcpu[2];
static int other_fd;

enum probe {
    P_ALLOWED, /* write, read, an allowed ioctl on the vCPU, exit */
    P_GETPID,
    P_OPENAT,
    P_MMAP,
    P_SOCKET,
    P_IOCTL_OTHER_FD,
    P_IOCTL_OTHER_REQUEST,
    P_X32,
    P_I386,
};

static void probe(enum probe p)
{
    char byte = 'x';
    switch (p) {
    case P_ALLOWED:
        if (write(fake_vcpu[1], &byte, 1) != 1 ||
            read(fake_vcpu[0], &byte, 1) != 1)
            _exit(2);
        /* A pipe is no vCPU: ENOTTY from the kernel means the filter let it by. */
        if (ioctl(fake_vcpu[0], KVM_RUN, 0) == 0 || errno != ENOTTY)
            _exit(3);
        _exit(0);
    case P_GETPID:
        syscall(SYS_getpid);
        break;
    case P_OPENAT:
        syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
        break;
    case P_MMAP:
        syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        break;
    case P_SOCKET:
        syscall(SYS_socket, 2, 1, 0);
        break;
    case P_IOCTL_OTHER_FD:
        ioctl(other_fd, KVM_RUN, 0);
        break;
    case P_IOCTL_OTHER_REQUEST:
        ioctl(fake_vcpu[0], KVM_CREATE_VCPU, 0);
        break;
    case P_X32:
        syscall(0x40000000 | SYS_write, 1, "", 0);
        break;
    case P_I386: {
        long nr = 20; /* i386 getpid */
        __asm__ volatile("int $0x80" : "+a"(nr) : : "memory");
        break;
    }
    }
    _exit(1); /* survived */
}

/* Runs probe (p) in a child under the filter; returns its wait status. */
static int run_confined(enum probe p)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct vmm vmm = {.vcpu_fd = fake_vcpu[0]};
        if (seccomp_install(&vmm) < 0)
            _exit(4);
        probe(p);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    return status;
}

static void expect_killed(enum probe p, const char *name)
{
    int st = run_confined(p);
    check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, name,
          "wait status 0x%x: expected death by SIGSYS", st);
}

int main(void)
{
    if (pipe(fake_vcpu) < 0 || (other_fd = dup(fake_vcpu[0])) < 0)
        return 1;
    unsigned nioctls, nsyscalls = seccomp_allowlist_size(&nioctls);
    printf("seccomp allowlist: %u system calls, ioctl with %u requests\n",
           nsyscalls, nioctls);

    int st = run_confined(P_ALLOWED);
    check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "seccomp_allows_its_calls",
          "wait status 0x%x: expected exit 0", st);
    expect_killed(P_GETPID, "seccomp_kills_getpid");
    expect_killed(P_OPENAT, "seccomp_kills_openat");
    expect_killed(P_MMAP, "seccomp_kills_mmap");
    expect_killed(P_SOCKET, "seccomp_kills_socket");
    expect_killed(P_IOCTL_OTHER_FD, "seccomp_kills_ioctl_on_another_fd");
    expect_killed(P_IOCTL_OTHER_REQUEST, "seccomp_kills_other_kvm_ioctls");
    expect_killed(P_X32, "seccomp_kills_x32_calls");
    /* Without IA-32 emulation in the host kernel, int 0x80 faults instead. */
    st = run_confined(P_I386);
    if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV)
        printf("SKIP seccomp_kills_i386_calls: no IA-32 emulation here\n");
    else
        check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
              "seccomp_kills_i386_calls",
              "wait status 0x%x: expected death by SIGSYS", st);
    return check_status();
}
