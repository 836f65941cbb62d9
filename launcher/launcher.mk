# launcher.mk: builds $(BUILD)/unikit from launcher/*.c and its folders vmm/, container/, net/ (included by the top Makefile).

LAUNCHER_SRCS := $(wildcard launcher/*.c) $(wildcard launcher/vmm/*.c) \
                 $(wildcard launcher/container/*.c) $(wildcard launcher/net/*.c)
LAUNCHER_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LAUNCHER_SRCS))

# unikit's own VMM is used once its header and at least one source file exist.
ifneq ($(and $(wildcard launcher/vmm/vmm.h),$(filter launcher/vmm/%,$(LAUNCHER_SRCS))),)
LAUNCHER_CFLAGS += -DUNIKIT_HAVE_VMM
endif
LAUNCHER_CFLAGS += -Ilauncher
LAUNCHER_LDLIBS ?=

# Everything but main.o, for the unit tests to link against (tests/tests.mk).
LAUNCHER_LIB := $(BUILD)/launcher/libunikit.a

$(BUILD)/unikit: $(LAUNCHER_OBJS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  HOSTLD  $@")
	$(Q)$(HOSTCC) $(HOSTCFLAGS) -o $@ $^ $(LAUNCHER_LDLIBS)

$(LAUNCHER_LIB): $(filter-out $(BUILD)/launcher/main.o,$(LAUNCHER_OBJS))
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/launcher/%.o: launcher/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) $(HOSTCFLAGS) $(LAUNCHER_CFLAGS) -MMD -MP -c -o $@ $<

-include $(LAUNCHER_OBJS:.o=.d)
