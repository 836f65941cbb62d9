# Makefile: builds the unikit launcher, the kernel and libos, every app image, and runs the tests.
#
#   make                 everything (installs missing Debian packages, builds newlib once)
#   make APP=hello       one image: build/apps/hello.elf
#   make run             boot hello through the launcher
#   make test            unit, booted-image and integration tests
#   make deps            only the dependency set-up
#   V=1                  show full commands

BUILD   := build
APP     ?=
V       ?= 0
ifeq ($(V),1)
Q :=
else
Q := @
endif

HOSTCC     ?= gcc
HOSTCFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -Ikernel/include

# Guest code: freestanding, no red zone, newlib headers only.
CC       := gcc
LD       := ld
GCC_INC  := $(shell $(CC) -print-file-name=include)
GUEST_BASE_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie \
	-mno-red-zone -fno-stack-protector -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -mcmodel=small \
	-fno-asynchronous-unwind-tables -nostdinc -isystem $(GCC_INC) -Ikernel/include

.PHONY: all deps images launcher run test clean
all: launcher images

# The dependency step prints the newlib prefix; evaluated only when a guest build needs it.
NEWLIB_CMD := tools/deps.sh --print-newlib
GUEST_FLAGS_STAMP := $(BUILD)/guest-flags.stamp
deps:
	$(Q)tools/deps.sh

include kernel/kernel.mk
include libos/libos.mk
include launcher/launcher.mk
include apps/apps.mk
-include apps/linux.mk
-include apps/efi.mk
-include tests/bench/bench.mk
include tests/tests.mk

launcher: $(BUILD)/unikit

run: $(BUILD)/unikit $(BUILD)/apps/hello.elf
	$(BUILD)/unikit run --net none $(BUILD)/apps/hello.elf

clean:
	rm -rf $(BUILD)
