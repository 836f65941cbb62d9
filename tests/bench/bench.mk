# bench.mk: `make bench-boot`: boot-time figures of the own VMM, QEMU and the bare KVM floor (tests/bench/boot.sh); included by the top Makefile.

BENCH_DIR := $(BUILD)/bench

.PHONY: bench-boot
bench-boot: $(BUILD)/unikit $(BUILD)/apps/hello.elf $(BENCH_DIR)/kvm_floor $(BENCH_DIR)/bench_run
	$(Q)BUILD=$(BUILD) tests/bench/boot.sh

$(BENCH_DIR)/%: tests/bench/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) $(HOSTCFLAGS) -o $@ $<
