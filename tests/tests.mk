# tests.mk: `make test`: builds the unit tests into $(BUILD)/tests/unit/ and runs every suite (tests/run.sh).
#
# A unit test is tests/unit/test_<module>.c: a host program that prints PASS/FAIL
# lines (tests/unit/check.h) and links against the launcher's pure modules and the
# kernel's host-testable ones. They are built with the sanitizers when the host
# compiler has them, so that a bad read in a parser fails the test.

UNIT_DIR   := $(BUILD)/tests/unit
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(UNIT_DIR)/%,$(UNIT_SRCS))

# What the unit tests may link: the launcher without main.c (and without the VMM,
# which has its own tests), and the kernel's pure C files.
UNIT_LIB_SRCS := $(filter-out launcher/main.c,$(wildcard launcher/*.c)) \
	$(wildcard launcher/container/*.c launcher/net/*.c) \
	$(wildcard kernel/cmdline.c)
UNIT_LIB_OBJS := $(patsubst %.c,$(UNIT_DIR)/obj/%.o,$(UNIT_LIB_SRCS))
UNIT_LIB      := $(UNIT_DIR)/libunit.a

# Probed once, and only when a unit test is built.
UNIT_SANITIZE = $(eval UNIT_SANITIZE := $(shell echo 'int main(void){return 0;}' | \
	$(HOSTCC) -fsanitize=address,undefined -x c - -o /dev/null 2>/dev/null && \
	echo -fsanitize=address,undefined -fno-omit-frame-pointer))$(UNIT_SANITIZE)
UNIT_CFLAGS = $(HOSTCFLAGS) $(UNIT_SANITIZE) -Ilauncher -Itests/unit

.PHONY: unit-tests
unit-tests: $(UNIT_TESTS)

test: all unit-tests
	$(Q)BUILD=$(BUILD) tests/run.sh

$(UNIT_DIR)/test_%: tests/unit/test_%.c tests/unit/check.h $(UNIT_LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< $(UNIT_LIB)

$(UNIT_LIB): $(UNIT_LIB_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(UNIT_DIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  HOSTCC  $< (unit)")
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -MMD -MP -c -o $@ $<

-include $(UNIT_LIB_OBJS:.o=.d)
