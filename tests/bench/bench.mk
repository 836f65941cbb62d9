# bench.mk: `make bench-boot` (boot-time figures: tests/bench/boot.sh) and `make bench`, `make bench-quick` (`unikit bench`); included by the top Makefile.

BENCH_DIR := $(BUILD)/bench

.PHONY: bench-boot
bench-boot: $(BUILD)/unikit $(BUILD)/apps/hello.elf $(BENCH_DIR)/kvm_floor $(BENCH_DIR)/bench_run
	$(Q)BUILD=$(BUILD) tests/bench/boot.sh

$(BENCH_DIR)/%: tests/bench/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) $(HOSTCFLAGS) -o $@ $<

# `make bench` / `make bench-quick`: `unikit bench` (needs root) into $(BUILD)/bench-report.
.PHONY: bench bench-quick
bench bench-quick: $(BUILD)/unikit
	$(Q)$(BUILD)/unikit bench $(if $(filter bench-quick,$@),--quick) --out $(BUILD)/bench-report

# `make bench-net`: httpd and kvstore throughput as unikernels (own VMM, QEMU) against their Linux builds and
# redis-server, in namespaces (tests/bench/net.sh; needs root): build/bench-net.md. QUICK=1, ROUNDS=N.
.PHONY: bench-net
bench-net: $(BUILD)/unikit $(BUILD)/apps/httpd.elf $(BUILD)/apps/kvstore.elf $(BUILD)/linux/httpd $(BUILD)/linux/kvstore
	$(Q)BUILD=$(BUILD) QUICK=$(QUICK) ROUNDS=$(ROUNDS) tests/bench/net.sh
