# kernel.mk: the kernel's objects (ring-0 block in assembly, everything else ring-3 C).

KERNEL_SRCS := $(wildcard kernel/*.c kernel/virtio/*.c)
KERNEL_OBJS := $(BUILD)/kernel/ring0/ring0.o $(KERNEL_SRCS:%.c=$(BUILD)/%.o)

# Lazily resolved once: installs missing packages and builds newlib into the cache if needed.
NEWLIB = $(eval NEWLIB := $(shell $(NEWLIB_CMD)))$(if $(NEWLIB),$(NEWLIB),$(error newlib set-up failed; run 'make deps' to see why))

# Kernel C never needs newlib's headers; it must not call newlib's SSE string functions either.
KERNEL_CFLAGS = $(GUEST_BASE_CFLAGS) -fno-tree-loop-distribute-patterns -Ikernel

$(BUILD)/kernel/ring0/%.o: kernel/ring0/%.S kernel/ring0/layout.h
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(CC) -c -mgeneral-regs-only -Ikernel/ring0 -o $@ $<

$(BUILD)/kernel/%.o: kernel/%.c $(wildcard kernel/*.h kernel/virtio/*.h kernel/include/unikit/*.h) $(GUEST_FLAGS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -c -o $@ $<
