/* main.c: the kernel's first ring-3 code — FPU, command line, console, clock, memory, then the libos. */
#include "cmdline.h"
#include "kernel.h"

static char cmdline_copy[UK_CMDLINE_MAX];
static struct cmdline cmdline;

/* The x87/SSE state at reset is not the ABI's; set it here, in ring 3. */
static void fpu_init(void)
{
    uint32_t mxcsr = 0x1f80;
    __asm__ volatile("fninit; ldmxcsr %0" : : "m"(mxcsr));
}

static void copy_cmdline(const struct hvm_start_info *si)
{
    const char *src = (const char *)(uintptr_t)si->cmdline_paddr;
    size_t n = 0;
    if (src)
        while (n < sizeof cmdline_copy - 1 && src[n])
            n++;
    kmemcpy(cmdline_copy, src, n);
    cmdline_copy[n] = '\0';
}

/* True when option (opt) is "key=...". */
static bool option_has_key(const char *opt, const char *key)
{
    while (*key && *key == *opt) {
        key++;
        opt++;
    }
    return *key == '\0' && *opt == '=';
}

static void report_unknown_options(void)
{
    static const char *const known[] = {"tsc_khz", "wallclock", "platform", "virtio_mmio.device",
                                        "ip", "gw"};
    for (int i = 0; i < cmdline.nkopt; i++) {
        bool ok = false;
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
            ok = ok || option_has_key(cmdline.kopt[i], known[k]);
        if (!ok)
            kprintf("unikit: ignoring unknown kernel option '%s'\n", cmdline.kopt[i]);
    }
}

const char *uk_kernel_option(const char *key)
{
    return cmdline_kopt(&cmdline, key, 0);
}

void kernel_main(const struct hvm_start_info *si);
void kernel_main(const struct hvm_start_info *si)
{
    const char *why = "";
    fpu_init();
    if (si->magic != UK_PVH_MAGIC) {
        console_init();
        uk_panic("boot: no PVH start info (magic 0x%x)", si->magic);
    }
    copy_cmdline(si);
    int bad = cmdline_parse(cmdline_copy, &cmdline, &why);
    if (!bad)
        platform_init(&cmdline);
    console_init();
    if (bad)
        uk_panic("boot: malformed command line: %s", why);
    clock_init(&cmdline);
    kmem_init(si);
    report_unknown_options();
    apic_init();
    devices_init(&cmdline);
    uk_app_main(cmdline.nargs, cmdline.argv, cmdline.env);
    uk_panic("boot: uk_app_main returned");
}
