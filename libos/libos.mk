# libos.mk: the libos' objects (newlib's system calls, threads, sockets), lwIP, and the flags every guest C file uses.

LIBOS_SRCS := $(wildcard libos/*.c libos/lwip/*.c)
LIBOS_ASM  := $(wildcard libos/*.S)
LIBOS_OBJS := $(LIBOS_SRCS:%.c=$(BUILD)/%.o) $(LIBOS_ASM:%.S=$(BUILD)/%.o)

# lwIP's source (Debian's package, unpacked into the cache by tools/deps.sh), resolved once.
LWIP_CMD := tools/deps.sh --print-lwip
LWIP_SRC = $(eval LWIP_SRC := $(shell $(LWIP_CMD)))$(if $(LWIP_SRC),$(LWIP_SRC),$(error lwIP set-up failed; run 'make deps' to see why))

# libos/include (sockets, poll, netdb) and lwIP's headers come before newlib's.
# newlib's headers hide the POSIX clocks unless the platform claims them; we implement them.
GUEST_CFLAGS = $(GUEST_BASE_CFLAGS) -Ilibos/include -I$(LWIP_SRC)/src/include -Ilibos/lwip \
	-isystem $(NEWLIB)/include -D_DEFAULT_SOURCE -DFD_SETSIZE=1024 \
	-D_POSIX_TIMERS=1 -D_POSIX_MONOTONIC_CLOCK=200112L \
	-D_POSIX_CPUTIME=1 -D_POSIX_THREAD_CPUTIME=1 -D_POSIX_THREADS=1 -D_UNIX98_THREAD_MUTEX_ATTRIBUTES=1
GUEST_LIBS = --start-group $(BUILD)/libos.a $(LWIP_LIB) $(NEWLIB)/lib/libc.a $(NEWLIB)/lib/libm.a \
	$(shell $(CC) -print-libgcc-file-name) --end-group

$(BUILD)/libos/%.o: libos/%.c $(wildcard libos/*.h libos/lwip/*.h libos/lwip/arch/*.h libos/include/*.h libos/include/*/*.h kernel/include/unikit/*.h) $(GUEST_FLAGS_STAMP)
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

# lwIP is compiled once per machine into the cache, keyed by our options, port headers and flags.
UNIKIT_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/unikit
LWIP_PORT_HEADERS := libos/lwip/lwipopts.h libos/lwip/arch/cc.h libos/lwip/arch/sys_arch.h
LWIP_HASH = $(shell cat $(LWIP_PORT_HEADERS) | sha256sum | cut -c1-8)$(shell echo '$(GUEST_CFLAGS)' | sha256sum | cut -c1-4)
LWIP_LIB = $(UNIKIT_CACHE)/lwip-2.1.3-$(LWIP_HASH)/liblwip.a
LWIP_FILES = $(addprefix $(LWIP_SRC)/src/,core/init.c core/def.c core/dns.c core/inet_chksum.c \
	core/ip.c core/mem.c core/memp.c core/netif.c core/pbuf.c core/raw.c core/stats.c core/sys.c \
	core/altcp.c core/altcp_alloc.c core/altcp_tcp.c core/tcp.c core/tcp_in.c core/tcp_out.c \
	core/timeouts.c core/udp.c core/ipv4/autoip.c core/ipv4/dhcp.c core/ipv4/etharp.c \
	core/ipv4/icmp.c core/ipv4/igmp.c core/ipv4/ip4_frag.c core/ipv4/ip4.c core/ipv4/ip4_addr.c \
	api/api_lib.c api/api_msg.c api/err.c api/if_api.c api/netbuf.c api/netdb.c api/netifapi.c \
	api/sockets.c api/tcpip.c netif/ethernet.c)

# Third-party code: compiled with our guest flags, its own warnings silenced (-w).
$(UNIKIT_CACHE)/lwip-2.1.3-%/liblwip.a: $(LWIP_PORT_HEADERS)
	@echo "  LWIP    $@"
	$(Q)set -e; d=$$(mktemp -d $(UNIKIT_CACHE)/lwip-build.XXXXXX); \
	for f in $(LWIP_FILES); do echo $$f; done | \
	  xargs -P $$(nproc) -I{} sh -c '$(CC) $(GUEST_CFLAGS) -w -c -o '$$d'/$$(basename {} .c).o {}'; \
	mkdir -p $(@D); ar rcs $@.tmp $$d/*.o && mv $@.tmp $@; rm -rf $$d

# The libos is an archive, so an image links only what its application uses.
$(BUILD)/libos.a: $(LIBOS_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $(LIBOS_OBJS)
