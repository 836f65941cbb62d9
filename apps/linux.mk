# linux.mk: the apps that also run as static Linux binaries, build/linux/<app>, and their host unit tests.
#
#   make APP=httpd TARGET=linux    build/linux/httpd (the `images` goal builds Linux binaries)
#   make linux-apps                every Linux binary (`make all` builds them too)
#   make linux-app-tests           build/linux/tests/test_<app>_<name> from apps/<app>/tests/test_<name>.c
#
# An app's source is apps/<app>/ once it links as a unikernel image, and
# apps-wip/<app>/ until then (apps.mk makes an image of every folder of apps/).

LINUX_APPS   := httpd kvstore
LINUX_CC     ?= gcc
LINUX_CFLAGS := -static -O2 -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE
LINUX_DIR    := $(BUILD)/linux

# The folder an app's source is in: apps/<app> first, else apps-wip/<app>.
linux_src = $(firstword $(wildcard apps/$(1)/ apps-wip/$(1)/))

.PHONY: linux-apps linux-app-tests
linux-apps: $(LINUX_APPS:%=$(LINUX_DIR)/%)
all: $(if $(and $(APP),$(filter linux,$(TARGET))),,linux-apps)
unit-tests: linux-app-tests

# $(1) app name, $(2) its source folder (with a trailing slash)
define linux_app_rules
$(1)_LINUX_SRCS := $$(wildcard $(2)*.c)
$(1)_LINUX_OBJS := $$($(1)_LINUX_SRCS:%.c=$(LINUX_DIR)/obj/%.o)
$(1)_TEST_SRCS  := $$(wildcard $(2)tests/test_*.c)
$(1)_TESTS      := $$(patsubst $(2)tests/test_%.c,$(LINUX_DIR)/tests/test_$(1)_%,$$($(1)_TEST_SRCS))
# A unit test links the app's files but its main, built with the unit tests' sanitizers.
$(1)_TEST_OBJS  := $$(patsubst %.c,$(LINUX_DIR)/tests/obj/%.o,$$(filter-out $(2)main.c,$$($(1)_LINUX_SRCS)))

$(LINUX_DIR)/$(1): $$($(1)_LINUX_OBJS)
	@echo "  LD      $$@ (linux)"
	$(Q)$(LINUX_CC) $(LINUX_CFLAGS) -o $$@ $$^

$(LINUX_DIR)/tests/test_$(1)_%: $(2)tests/test_%.c $$($(1)_TEST_OBJS) tests/unit/check.h
	@mkdir -p $$(@D)
	@echo "  HOSTCC  $$< (linux)"
	$(Q)$(HOSTCC) $(HOSTCFLAGS) $$(UNIT_SANITIZE) -I$(2) -Itests/unit -o $$@ $$< $$($(1)_TEST_OBJS)

linux-app-tests: $$($(1)_TESTS)
.SECONDARY: $$($(1)_TEST_OBJS)
LINUX_DEPS += $$($(1)_LINUX_OBJS:.o=.d) $$($(1)_TEST_OBJS:.o=.d)
endef

$(foreach a,$(LINUX_APPS),$(if $(call linux_src,$(a)),$(eval $(call linux_app_rules,$(a),$(call linux_src,$(a)))),\
	$(error $(a): neither apps/$(a)/ nor apps-wip/$(a)/ exists)))

$(LINUX_DIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $< (linux)"
	$(Q)$(LINUX_CC) $(LINUX_CFLAGS) -MMD -MP -c -o $@ $<

$(LINUX_DIR)/tests/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $< (linux, unit)"
	$(Q)$(HOSTCC) $(HOSTCFLAGS) $(UNIT_SANITIZE) -MMD -MP -c -o $@ $<

-include $(LINUX_DEPS)

# With TARGET=linux, `images` (so plain `make`) builds the Linux binaries and
# reports their sizes (apps.mk leaves guest images out then).
ifeq ($(TARGET),linux)
ifneq ($(APP),)
ifeq ($(filter $(APP),$(LINUX_APPS)),)
$(error APP=$(APP) has no Linux build; TARGET=linux knows $(LINUX_APPS))
endif
endif
IMAGES := $(if $(APP),$(APP:%=$(LINUX_DIR)/%),$(LINUX_APPS:%=$(LINUX_DIR)/%))
images: $(IMAGES)
endif
