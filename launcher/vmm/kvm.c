/* kvm.c: opens /dev/kvm, checks what the VMM relies on, creates the VM, its memory and one vCPU. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm_internal.h"

/* Every capability the VMM depends on, with what it is used for. */
static const struct {
    int cap;
    const char *name;
} required_caps[] = {
    {KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY (guest RAM from our mmap)"},
    {KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID (KVM_GET_SUPPORTED_CPUID)"},
    {KVM_CAP_GET_TSC_KHZ, "KVM_CAP_GET_TSC_KHZ (guest clock)"},
    {KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT (clean stop on signals)"},
};

/* An address where Intel's real-mode TSS quirk may live: above RAM and the
 * virtio windows, below 4 GiB (three pages). */
#define VMM_TSS_ADDR 0xfffbd000ul

/* A hypervisor leaf after KVM's (0x40000000..): "ukvmukvmukvm". */
#define UKVM_CPUID_LEAF 0x40000100u
#define UKVM_SIGNATURE 0x6d766b75u /* "ukvm" little-endian */

int kvm_open(struct vmm *vmm)
{
    vmm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (vmm->kvm_fd < 0)
        return vmm_fail(errno, "open /dev/kvm");
    int version = ioctl(vmm->kvm_fd, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION)
        return vmm_fail(0, "/dev/kvm speaks KVM API %d, expected %d", version,
                        KVM_API_VERSION);
    for (size_t i = 0; i < sizeof required_caps / sizeof required_caps[0];
         i++) {
        if (ioctl(vmm->kvm_fd, KVM_CHECK_EXTENSION, required_caps[i].cap) <= 0)
            return vmm_fail(0, "/dev/kvm lacks %s", required_caps[i].name);
    }
    vmm->vm_fd = ioctl(vmm->kvm_fd, KVM_CREATE_VM, 0);
    if (vmm->vm_fd < 0)
        return vmm_fail(errno, "KVM_CREATE_VM");
    if (ioctl(vmm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) > 0 &&
        ioctl(vmm->vm_fd, KVM_SET_TSS_ADDR, VMM_TSS_ADDR) < 0)
        return vmm_fail(errno, "KVM_SET_TSS_ADDR");
    return 0;
}

/* Guest RAM: anonymous, reserved lazily, so a page costs host memory only
 * once the guest touches it. */
int kvm_map_memory(struct vmm *vmm, uint64_t bytes)
{
    void *base = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        return vmm_fail(errno, "mmap %llu bytes of guest memory",
                        (unsigned long long)bytes);
    vmm->mem.base = base;
    vmm->mem.size = bytes;
    struct kvm_userspace_memory_region region = {
        .slot = 0,
        .guest_phys_addr = 0,
        .memory_size = bytes,
        .userspace_addr = (uint64_t)(uintptr_t)base,
    };
    if (ioctl(vmm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        return vmm_fail(errno, "KVM_SET_USER_MEMORY_REGION");
    return 0;
}

static struct kvm_cpuid2 *supported_cpuid(struct vmm *vmm, unsigned spare)
{
    for (unsigned n = 64; n <= 4096; n *= 2) {
        struct kvm_cpuid2 *cpuid =
            calloc(1, sizeof *cpuid + (n + spare) * sizeof cpuid->entries[0]);
        if (cpuid == NULL) {
            vmm_fail(errno, "allocate CPUID table");
            return NULL;
        }
        cpuid->nent = n;
        if (ioctl(vmm->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0)
            return cpuid;
        int err = errno;
        free(cpuid);
        if (err != E2BIG) {
            vmm_fail(err, "KVM_GET_SUPPORTED_CPUID");
            return NULL;
        }
    }
    vmm_fail(E2BIG, "KVM_GET_SUPPORTED_CPUID");
    return NULL;
}

/* The guest sees what KVM supports (pdpe1gb included: the kernel maps RAM
 * with 1 GiB pages when it can), plus our own hypervisor leaf so a kernel
 * can tell it runs under unikit's VMM without parsing the command line. */
static int set_cpuid(struct vmm *vmm)
{
    struct kvm_cpuid2 *cpuid = supported_cpuid(vmm, 1);
    if (cpuid == NULL)
        return -1;
    struct kvm_cpuid_entry2 *leaf = &cpuid->entries[cpuid->nent++];
    memset(leaf, 0, sizeof *leaf);
    leaf->function = UKVM_CPUID_LEAF;
    leaf->eax = UKVM_CPUID_LEAF;
    leaf->ebx = leaf->ecx = leaf->edx = UKVM_SIGNATURE;
    int rc = 0;
    if (ioctl(vmm->vcpu_fd, KVM_SET_CPUID2, cpuid) < 0)
        rc = vmm_fail(errno, "KVM_SET_CPUID2");
    free(cpuid);
    return rc;
}

int kvm_create_vcpu(struct vmm *vmm)
{
    vmm->vcpu_fd = ioctl(vmm->vm_fd, KVM_CREATE_VCPU, 0);
    if (vmm->vcpu_fd < 0)
        return vmm_fail(errno, "KVM_CREATE_VCPU");
    int size = ioctl(vmm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (size < (int)sizeof(struct kvm_run))
        return vmm_fail(errno, "KVM_GET_VCPU_MMAP_SIZE");
    void *run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED,
                     vmm->vcpu_fd, 0);
    if (run == MAP_FAILED)
        return vmm_fail(errno, "mmap the vCPU's kvm_run");
    vmm->run = run;
    vmm->run_size = (size_t)size;
    int khz = ioctl(vmm->vcpu_fd, KVM_GET_TSC_KHZ, 0);
    if (khz <= 0)
        return vmm_fail(errno, "KVM_GET_TSC_KHZ");
    vmm->tsc_khz = (uint32_t)khz;
    return set_cpuid(vmm);
}

void kvm_close(struct vmm *vmm)
{
    if (vmm->run != NULL)
        munmap(vmm->run, vmm->run_size);
    if (vmm->mem.base != NULL)
        munmap(vmm->mem.base, vmm->mem.size);
    if (vmm->vcpu_fd >= 0)
        close(vmm->vcpu_fd);
    if (vmm->vm_fd >= 0)
        close(vmm->vm_fd);
    if (vmm->kvm_fd >= 0)
        close(vmm->kvm_fd);
}
