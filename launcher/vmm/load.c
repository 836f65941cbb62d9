/* load.c: copies the image into guest RAM, writes the PVH start info and sets the PVH entry state. */
#include <stdlib.h>
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

#include "unikit/boot_abi.h"
#include "vmm_internal.h"

/*
 * The boot info block at VMM_BOOT_INFO: struct hvm_start_info, then the
 * memory map, then the NUL-terminated command line. It is marked reserved in
 * the memory map it describes, so the kernel never hands it out as free RAM.
 */
#define MEMMAP_MAX 4
#define BOOT_MEMMAP (VMM_BOOT_INFO + 0x100)
#define BOOT_CMDLINE (VMM_BOOT_INFO + 0x200)
#define BOOT_INFO_END (BOOT_CMDLINE + UK_CMDLINE_MAX + 1)
#define PAGE_UP(x) (((x) + 0xfffull) & ~0xfffull)

_Static_assert(sizeof(struct hvm_start_info) <= BOOT_MEMMAP - VMM_BOOT_INFO,
               "start info overlaps the memory map");
_Static_assert(MEMMAP_MAX * sizeof(struct hvm_memmap_entry) <=
                   BOOT_CMDLINE - BOOT_MEMMAP,
               "memory map overlaps the command line");
_Static_assert(PAGE_UP(BOOT_INFO_END) <= VMM_LOW_RAM_END,
               "boot info does not fit in low RAM");

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

/* Each PT_LOAD segment is checked once more here, whatever image_parse
 * proved: its bytes must lie in the file, its memory inside RAM and clear of
 * the boot info block. */
static int load_segments(struct vmm *vmm)
{
    const struct run_config *cfg = vmm->cfg;
    const struct image_info *info = &cfg->image_info;
    for (int i = 0; i < info->nseg && i < IMAGE_MAX_SEGMENTS; i++) {
        const struct image_segment *seg = &info->seg[i];
        if (seg->offset > cfg->image_size ||
            seg->filesz > cfg->image_size - seg->offset)
            return vmm_fail(0, "image segment %d lies outside the file", i);
        if (seg->filesz > seg->memsz)
            return vmm_fail(0, "image segment %d: file size %llu exceeds its "
                               "memory size %llu", i,
                            (unsigned long long)seg->filesz,
                            (unsigned long long)seg->memsz);
        uint8_t *dst = gpa_ptr(&vmm->mem, seg->paddr, seg->memsz);
        if (dst == NULL)
            return vmm_fail(0, "image segment %d at 0x%llx (%llu bytes) lies "
                               "outside guest memory (%llu MiB); try a larger -m",
                            i, (unsigned long long)seg->paddr,
                            (unsigned long long)seg->memsz,
                            (unsigned long long)(vmm->mem.size >> 20));
        if (overlaps(seg->paddr, seg->memsz, VMM_BOOT_INFO,
                     PAGE_UP(BOOT_INFO_END) - VMM_BOOT_INFO))
            return vmm_fail(0, "image segment %d at 0x%llx overlaps the boot "
                               "info at 0x%llx", i,
                            (unsigned long long)seg->paddr,
                            (unsigned long long)VMM_BOOT_INFO);
        memcpy(dst, cfg->image_data + seg->offset, seg->filesz);
        /* Fresh anonymous memory is already zero, and a segment is copied
         * once, so the .bss tail needs no memset (which would touch pages). */
    }
    return 0;
}

static int load_boot_info(struct vmm *vmm, const char *cmdline)
{
    size_t cmdline_len = strlen(cmdline);
    if (cmdline_len > UK_CMDLINE_MAX)
        return vmm_fail(0, "guest command line is %zu bytes, more than the "
                           "%d the boot ABI allows", cmdline_len,
                        UK_CMDLINE_MAX);
    uint64_t info_end = PAGE_UP(BOOT_CMDLINE + cmdline_len + 1);
    const struct hvm_memmap_entry memmap[MEMMAP_MAX] = {
        {.addr = 0, .size = VMM_BOOT_INFO, .type = UK_MEMMAP_RAM},
        {.addr = VMM_BOOT_INFO,
         .size = info_end - VMM_BOOT_INFO,
         .type = UK_MEMMAP_RESERVED},
        {.addr = info_end,
         .size = VMM_LOW_RAM_END - info_end,
         .type = UK_MEMMAP_RAM},
        {.addr = UK_IMAGE_BASE,
         .size = vmm->mem.size - UK_IMAGE_BASE,
         .type = UK_MEMMAP_RAM},
    };
    const struct hvm_start_info info = {
        .magic = UK_PVH_MAGIC,
        .version = 1,
        .cmdline_paddr = BOOT_CMDLINE,
        .memmap_paddr = BOOT_MEMMAP,
        .memmap_entries = MEMMAP_MAX,
    };
    void *info_p = gpa_ptr(&vmm->mem, VMM_BOOT_INFO, sizeof info);
    void *memmap_p = gpa_ptr(&vmm->mem, BOOT_MEMMAP, sizeof memmap);
    void *cmdline_p = gpa_ptr(&vmm->mem, BOOT_CMDLINE, cmdline_len + 1);
    if (info_p == NULL || memmap_p == NULL || cmdline_p == NULL)
        return vmm_fail(0, "boot info does not fit in guest memory");
    memcpy(info_p, &info, sizeof info);
    memcpy(memmap_p, memmap, sizeof memmap);
    memcpy(cmdline_p, cmdline, cmdline_len + 1);
    return 0;
}

/* A flat 4 GiB segment, as the PVH entry state wants (boot_abi.h). */
static struct kvm_segment flat_segment(uint16_t selector, uint8_t type)
{
    return (struct kvm_segment){
        .base = 0,
        .limit = 0xffffffff,
        .selector = selector,
        .type = type,
        .present = 1,
        .dpl = 0,
        .db = 1, /* 32-bit */
        .s = 1,  /* code or data, not system */
        .l = 0,
        .g = 1, /* limit in pages */
    };
}

#define SEG_TYPE_CODE_RX 0xb /* execute/read, accessed */
#define SEG_TYPE_DATA_RW 0x3 /* read/write, accessed */
#define CR0_PE 0x1ull
#define CR0_ET 0x10ull

static int load_entry_state(struct vmm *vmm, uint32_t entry)
{
    struct kvm_sregs sregs;
    if (ioctl(vmm->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
        return vmm_fail(errno, "KVM_GET_SREGS");
    sregs.cs = flat_segment(0x08, SEG_TYPE_CODE_RX);
    sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss =
        flat_segment(0x10, SEG_TYPE_DATA_RW);
    sregs.cr0 = CR0_PE | CR0_ET; /* protected mode, paging off */
    sregs.cr4 = 0;
    sregs.efer = 0;
    if (ioctl(vmm->vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
        return vmm_fail(errno, "KVM_SET_SREGS");

    struct kvm_regs regs = {
        .rflags = 0x2, /* reserved bit 1; IF=0 */
        .rip = entry,
        .rbx = VMM_BOOT_INFO,
        .rsp = VMM_BOOT_STACK,
    };
    if (ioctl(vmm->vcpu_fd, KVM_SET_REGS, &regs) < 0)
        return vmm_fail(errno, "KVM_SET_REGS");
    return 0;
}

/* A long-mode segment of the image's GDT, as KVM wants it described. */
static struct kvm_segment long_segment(uint16_t selector, bool code)
{
    return (struct kvm_segment){
        .selector = selector,
        .limit = 0xffffffff,
        .type = code ? SEG_TYPE_CODE_RX : SEG_TYPE_DATA_RW,
        .present = 1,
        .dpl = (uint8_t)(selector & 3),
        .db = code ? 0 : 1,
        .s = 1,
        .l = code ? 1 : 0,
        .g = 1,
    };
}

/*
 * The image's ring-3 entry note (boot_abi.h): start the vCPU where the
 * kernel's boot path would drop to ring 3, so no ring-0 instruction runs
 * (each is emulated, ~100 us, on kvm_pvm hosts). Every address in the note
 * is checked against guest memory first.
 */
static int load_ring3_state(struct vmm *vmm, const struct uk_ring3_entry *e)
{
    uint64_t guard_pte = e->pt_base + (e->guard_page >> 12) * 8;
    if (!gpa_range_ok(&vmm->mem, e->rip, 1) || !gpa_range_ok(&vmm->mem, e->rsp - 8, 16) ||
        !gpa_range_ok(&vmm->mem, e->cr3, 4096) ||
        !gpa_range_ok(&vmm->mem, e->gdt_base, (uint64_t)e->gdt_limit + 1) ||
        !gpa_range_ok(&vmm->mem, e->idt_base, (uint64_t)e->idt_limit + 1) ||
        !gpa_range_ok(&vmm->mem, e->tss_base, (uint64_t)e->tss_limit + 1) ||
        e->guard_page >= 0x400000 || !gpa_range_ok(&vmm->mem, guard_pte, 8))
        return vmm_fail(0, "the image's ring-3 entry note points outside guest memory");
    uint64_t *pte = gpa_ptr(&vmm->mem, guard_pte, 8);
    *pte = 0; /* the guard page below the main stack */

    struct kvm_sregs sregs;
    if (ioctl(vmm->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
        return vmm_fail(errno, "KVM_GET_SREGS");
    sregs.cs = long_segment(e->sel_code, true);
    sregs.ss = sregs.ds = sregs.es = sregs.fs = sregs.gs = long_segment(e->sel_data, false);
    sregs.tr = (struct kvm_segment){.selector = e->sel_tss, .base = e->tss_base,
                                    .limit = e->tss_limit, .type = 0xb /* busy 64-bit TSS */,
                                    .present = 1};
    sregs.ldt = (struct kvm_segment){.unusable = 1};
    sregs.gdt = (struct kvm_dtable){.base = e->gdt_base, .limit = (uint16_t)e->gdt_limit};
    sregs.idt = (struct kvm_dtable){.base = e->idt_base, .limit = (uint16_t)e->idt_limit};
    sregs.cr0 = e->cr0;
    sregs.cr3 = e->cr3;
    sregs.cr4 = e->cr4;
    sregs.efer = e->efer;
    if (ioctl(vmm->vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
        return vmm_fail(errno, "KVM_SET_SREGS (ring-3 entry)");
    struct kvm_regs regs = {.rflags = e->rflags, .rip = e->rip, .rsp = e->rsp, .rdi = VMM_BOOT_INFO};
    if (ioctl(vmm->vcpu_fd, KVM_SET_REGS, &regs) < 0)
        return vmm_fail(errno, "KVM_SET_REGS");
    return 0;
}

int load_image(struct vmm *vmm)
{
    static char cmdline[UK_CMDLINE_MAX];
    uint64_t entry = vmm->cfg->image_info.pvh_entry;
    if (load_segments(vmm) < 0)
        return -1;
    if (entry > UINT32_MAX || !gpa_range_ok(&vmm->mem, entry, 1))
        return vmm_fail(0, "image entry point 0x%llx lies outside guest memory",
                        (unsigned long long)entry);
    if (cmdline_build(vmm, cmdline, sizeof cmdline) < 0 ||
        load_boot_info(vmm, cmdline) < 0)
        return -1;
    if (vmm->cfg->image_info.has_ring3_entry && !getenv("UNIKIT_PVH_ENTRY"))
        return load_ring3_state(vmm, &vmm->cfg->image_info.ring3_entry);
    return load_entry_state(vmm, (uint32_t)entry);
}
