# libos.mk: the libos' objects (newlib's system calls), and the flags every guest C file uses.

LIBOS_SRCS := $(wildcard libos/*.c)
LIBOS_ASM  := $(wildcard libos/*.S)
LIBOS_OBJS := $(LIBOS_SRCS:%.c=$(BUILD)/%.o) $(LIBOS_ASM:%.S=$(BUILD)/%.o)

# newlib's headers hide the POSIX clocks unless the platform claims them; we implement them.
GUEST_CFLAGS = $(GUEST_BASE_CFLAGS) -isystem $(NEWLIB)/include -D_DEFAULT_SOURCE \
	-D_POSIX_TIMERS=1 -D_POSIX_MONOTONIC_CLOCK=200112L \
	-D_POSIX_CPUTIME=1 -D_POSIX_THREAD_CPUTIME=1 -D_POSIX_THREADS=1 -D_UNIX98_THREAD_MUTEX_ATTRIBUTES=1
GUEST_LIBS = --start-group $(NEWLIB)/lib/libc.a $(NEWLIB)/lib/libm.a \
	$(shell $(CC) -print-libgcc-file-name) --end-group

$(BUILD)/libos/%.o: libos/%.c $(wildcard libos/*.h kernel/include/unikit/*.h) $(GUEST_FLAGS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c -o $@ $<

# Guest objects are rebuilt when the flags or the newlib build change.
.PHONY: FORCE
$(GUEST_FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(GUEST_CFLAGS) | $(KERNEL_CFLAGS)' | cmp -s - $@ || echo '$(GUEST_CFLAGS) | $(KERNEL_CFLAGS)' > $@

$(BUILD)/libos/%.o: libos/%.S
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(CC) -c -o $@ $<
