/* seccomp_count.c: counts the x86_64 system calls a running process's seccomp filters let through, read from the kernel. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

/*
 * Usage: seccomp_count PID UNISTD_64_H [--list]
 *
 * Attaches to PID, takes each of its seccomp filters with
 * PTRACE_SECCOMP_GET_FILTER (root), detaches, and runs every filter for
 * every system call number of UNISTD_64_H (the `#define __NR_name nr` lines
 * of the kernel headers) with arch AUDIT_ARCH_X86_64. What the call's
 * arguments or instruction pointer would be is not known, so a load of them
 * gives "unknown" and a jump on an unknown value follows both ways: a call
 * is *allowed* when every filter has a path to ALLOW (or LOG, TRACE,
 * USER_NOTIF: the call may go on), and *conditional* when some path also
 * denies it (the filter looks at its arguments). Prints one line:
 *   seccomp PID: filters F, allowed A of T (conditional C)
 * or "seccomp PID: no filter, allowed T of T". --list adds the allowed names.
 * Counted from what the kernel holds, so it is the same for a filter built by
 * hand (unikit), by libseccomp (crun, QEMU) or any other way.
 */

#define MAX_FILTERS 16
#define MAX_INSNS 4096
#define MAX_NR 1024
#define MAX_PATHS 100000

struct filter {
    struct sock_filter insn[MAX_INSNS];
    int len;
};

struct val {
    uint32_t v;
    int known;
};

struct state {
    struct val a, x, mem[BPF_MEMWORDS];
};

static struct filter filters[MAX_FILTERS];
static int nfilters;
static char *names[MAX_NR];
static long paths;

enum { R_ALLOW = 1, R_DENY = 2 };

static int action_allows(uint32_t ret)
{
    uint32_t act = ret & SECCOMP_RET_ACTION_FULL;
    return act == SECCOMP_RET_ALLOW || act == SECCOMP_RET_LOG || act == SECCOMP_RET_TRACE ||
           act == SECCOMP_RET_USER_NOTIF;
}

/* A load from struct seccomp_data at (off): nr and arch are known, the rest is not. */
static struct val load_data(uint32_t off, int nr)
{
    struct val r = {0, 0};
    if (off == 0)
        r = (struct val){(uint32_t)nr, 1};
    else if (off == 4)
        r = (struct val){AUDIT_ARCH_X86_64, 1};
    return r;
}

static uint32_t alu(uint16_t op, uint32_t a, uint32_t b)
{
    switch (op) {
    case BPF_ADD: return a + b;
    case BPF_SUB: return a - b;
    case BPF_MUL: return a * b;
    case BPF_DIV: return b ? a / b : 0;
    case BPF_MOD: return b ? a % b : 0;
    case BPF_OR: return a | b;
    case BPF_AND: return a & b;
    case BPF_XOR: return a ^ b;
    case BPF_LSH: return b < 32 ? a << b : 0;
    case BPF_RSH: return b < 32 ? a >> b : 0;
    case BPF_NEG: return -a;
    }
    return 0;
}

/* Runs filter (f) from (pc) in state (s) for call (nr): ORs R_ALLOW/R_DENY for every return reached. */
static int run(const struct filter *f, int pc, struct state s, int nr)
{
    int result = 0;
    if (++paths > MAX_PATHS)
        return R_ALLOW | R_DENY; /* too many paths to follow: say "conditional" */
    while (pc >= 0 && pc < f->len) {
        const struct sock_filter *i = &f->insn[pc];
        uint16_t cls = BPF_CLASS(i->code);
        struct val src = BPF_SRC(i->code) == BPF_X ? s.x : (struct val){i->k, 1};
        switch (cls) {
        case BPF_LD:
            if (BPF_MODE(i->code) == BPF_ABS)
                s.a = load_data(i->k, nr);
            else if (BPF_MODE(i->code) == BPF_IMM)
                s.a = (struct val){i->k, 1};
            else if (BPF_MODE(i->code) == BPF_MEM && i->k < BPF_MEMWORDS)
                s.a = s.mem[i->k];
            else if (BPF_MODE(i->code) == BPF_LEN)
                s.a = (struct val){64, 1}; /* sizeof(struct seccomp_data) */
            else
                s.a = (struct val){0, 0};
            pc++;
            break;
        case BPF_LDX:
            if (BPF_MODE(i->code) == BPF_IMM)
                s.x = (struct val){i->k, 1};
            else if (BPF_MODE(i->code) == BPF_MEM && i->k < BPF_MEMWORDS)
                s.x = s.mem[i->k];
            else if (BPF_MODE(i->code) == BPF_LEN)
                s.x = (struct val){64, 1};
            else
                s.x = (struct val){0, 0};
            pc++;
            break;
        case BPF_ST:
            if (i->k < BPF_MEMWORDS)
                s.mem[i->k] = s.a;
            pc++;
            break;
        case BPF_STX:
            if (i->k < BPF_MEMWORDS)
                s.mem[i->k] = s.x;
            pc++;
            break;
        case BPF_ALU:
            s.a = (struct val){alu(BPF_OP(i->code), s.a.v, src.v),
                               s.a.known && (BPF_OP(i->code) == BPF_NEG || src.known)};
            pc++;
            break;
        case BPF_MISC:
            if (BPF_MISCOP(i->code) == BPF_TAX)
                s.x = s.a;
            else
                s.a = s.x;
            pc++;
            break;
        case BPF_RET: {
            struct val r = BPF_RVAL(i->code) == BPF_A ? s.a : (struct val){i->k, 1};
            if (!r.known)
                return result | R_ALLOW | R_DENY;
            return result | (action_allows(r.v) ? R_ALLOW : R_DENY);
        }
        case BPF_JMP: {
            if (BPF_OP(i->code) == BPF_JA) {
                pc += 1 + (int)i->k;
                break;
            }
            int taken = 0;
            if (s.a.known && src.known) {
                switch (BPF_OP(i->code)) {
                case BPF_JEQ: taken = s.a.v == src.v; break;
                case BPF_JGT: taken = s.a.v > src.v; break;
                case BPF_JGE: taken = s.a.v >= src.v; break;
                case BPF_JSET: taken = (s.a.v & src.v) != 0; break;
                }
                pc += 1 + (taken ? i->jt : i->jf);
                break;
            }
            /* unknown: both ways */
            result |= run(f, pc + 1 + i->jt, s, nr);
            pc += 1 + i->jf;
            break;
        }
        default:
            return result | R_DENY;
        }
    }
    return result | R_DENY; /* fell off the end: the kernel refuses such filters */
}

static int get_filters(pid_t pid)
{
    if (ptrace(PTRACE_ATTACH, pid, 0, 0) < 0) {
        fprintf(stderr, "seccomp_count: attach %d: %s\n", pid, strerror(errno));
        return -1;
    }
    int status;
    if (waitpid(pid, &status, __WALL) < 0) {
        fprintf(stderr, "seccomp_count: wait %d: %s\n", pid, strerror(errno));
        return -1;
    }
    for (nfilters = 0; nfilters < MAX_FILTERS; nfilters++) {
        struct filter *f = &filters[nfilters];
        long n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)(long)nfilters, NULL);
        if (n < 0)
            break; /* ENOENT past the last one; EINVAL with no filter; EMEDIUMTYPE for mode 1 */
        if (n > MAX_INSNS ||
            ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)(long)nfilters, f->insn) < 0) {
            fprintf(stderr, "seccomp_count: filter %d of %d: %s\n", nfilters, pid, strerror(errno));
            nfilters = -1;
            break;
        }
        f->len = (int)n;
    }
    ptrace(PTRACE_DETACH, pid, 0, 0);
    return nfilters;
}

static int read_names(const char *path)
{
    FILE *in = fopen(path, "r");
    char line[256], name[128];
    int nr, max = -1;
    if (!in) {
        fprintf(stderr, "seccomp_count: %s: %s\n", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof line, in))
        if (sscanf(line, "#define __NR_%127s %d", name, &nr) == 2 && nr >= 0 && nr < MAX_NR) {
            names[nr] = strdup(name);
            if (nr > max)
                max = nr;
        }
    fclose(in);
    return max;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: seccomp_count PID UNISTD_64_H [--list]\n");
        return 2;
    }
    pid_t pid = atoi(argv[1]);
    int list = argc > 3 && strcmp(argv[3], "--list") == 0;
    int max = read_names(argv[2]);
    if (max < 0)
        return 1;
    int total = 0;
    for (int nr = 0; nr <= max; nr++)
        total += names[nr] != NULL;
    if (get_filters(pid) < 0)
        return 1;
    if (nfilters == 0) {
        printf("seccomp %d: no filter, allowed %d of %d\n", pid, total, total);
        return 0;
    }
    int allowed = 0, conditional = 0;
    for (int nr = 0; nr <= max; nr++) {
        if (!names[nr])
            continue;
        int all_allow = 1, any_deny = 0;
        for (int k = 0; k < nfilters; k++) {
            struct state s;
            memset(&s, 0, sizeof s);
            paths = 0;
            int r = run(&filters[k], 0, s, nr);
            all_allow &= (r & R_ALLOW) != 0;
            any_deny |= (r & R_DENY) != 0;
        }
        if (all_allow) {
            allowed++;
            conditional += any_deny;
            if (list)
                printf("  %s%s\n", names[nr], any_deny ? " (conditional)" : "");
        }
    }
    printf("seccomp %d: filters %d, allowed %d of %d (conditional %d)\n", pid, nfilters, allowed,
           total, conditional);
    return 0;
}
