# efi.mk: UEFI images of every app and guest test: build/apps/<name>.efi (GNU-EFI stub + kernel) and <name>.img (GPT disk).
#
#   make APP=hello IMAGE=efi    build/apps/hello.efi, a PE32+ EFI application
#   make APP=hello IMAGE=disk   build/apps/hello.img, a GPT disk whose EFI system
#                               partition holds it as EFI/BOOT/BOOTX64.EFI
#   make uefi-images            both, for every image (make test needs them)
#
# The stub (kernel/efi/) is built once; each image links it with a blob that
# .incbin's the app's .elf and records uk_entry64_efi's address, read from the
# .elf's symbol table. GNU-EFI comes from Debian's gnu-efi (tools/deps.sh).

EFI_LIB  := /usr/lib
EFI_INC  := /usr/include/efi
EFI_LDS  := $(EFI_LIB)/elf_x86_64_efi.lds
EFI_CRT0 := $(EFI_LIB)/crt0-efi-x86_64.o

# GNU-EFI's headers are -isystem, so their own warnings stay theirs; ours are -Werror.
EFI_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fpic -fshort-wchar \
	-mno-red-zone -fno-stack-protector -fno-strict-aliasing -maccumulate-outgoing-args \
	-DGNU_EFI_USE_MS_ABI -isystem $(EFI_INC) -isystem $(EFI_INC)/x86_64 -Ikernel/include

EFI_STUB_SRCS := $(wildcard kernel/efi/*.c)
EFI_STUB_OBJS := $(EFI_STUB_SRCS:kernel/efi/%.c=$(BUILD)/efi/%.o)

# The sections a PE32+ image needs (the usual GNU-EFI list).
EFI_SECTIONS := -j .text -j .sdata -j .data -j .rodata -j .dynamic -j .dynsym \
	-j .rel -j .rela -j '.rel.*' -j '.rela.*' -j .reloc

UEFI_IMAGES := $(ALL_IMAGES:.elf=.efi) $(ALL_IMAGES:.elf=.img)

ifeq ($(IMAGE),efi)
IMAGES := $(IMAGES:.elf=.efi)
images: $(IMAGES)
else ifeq ($(IMAGE),disk)
IMAGES := $(IMAGES:.elf=.img)
images: $(IMAGES)
else ifneq ($(IMAGE),)
$(error IMAGE=$(IMAGE): expected efi or disk (or nothing, for the PVH .elf))
endif

.PHONY: uefi-images
.SECONDARY: $(EFI_STUB_OBJS) $(ALL_IMAGES:.elf=.efi)
uefi-images: $(UEFI_IMAGES)
test: uefi-images

# Order-only on the guest flags stamp: making it runs tools/deps.sh, which installs gnu-efi.
$(BUILD)/efi/%.o: kernel/efi/%.c kernel/efi/stub.h kernel/include/unikit/boot_abi.h kernel/ring0/layout.h | $(GUEST_FLAGS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $< (efi)"
	$(Q)$(CC) $(EFI_CFLAGS) -c -o $@ $<

$(BUILD)/apps/%.efi: $(BUILD)/apps/%.elf $(EFI_STUB_OBJS) kernel/efi/blob.S
	@echo "  EFI     $@"
	$(Q)entry=$$(nm $< | awk '$$3 == "uk_entry64_efi" { print $$1 }'); \
	if [ -z "$$entry" ]; then echo "$<: no uk_entry64_efi symbol" >&2; exit 1; fi; \
	$(CC) -c -DUK_KERNEL_ELF='"$<"' -DUK_KERNEL_ENTRY64=0x$$entry -o $@.blob.o kernel/efi/blob.S
	$(Q)$(LD) -nostdlib -znocombreloc -shared -Bsymbolic -T $(EFI_LDS) -o $@.so \
		$(EFI_CRT0) $(EFI_STUB_OBJS) $@.blob.o -L$(EFI_LIB) -lefi -lgnuefi
	$(Q)objcopy $(EFI_SECTIONS) --target efi-app-x86_64 --subsystem=10 $@.so $@
	$(Q)rm -f $@.blob.o $@.so

$(BUILD)/apps/%.img: $(BUILD)/apps/%.efi tools/mkdisk.sh
	@echo "  DISK    $@"
	$(Q)tools/mkdisk.sh $@ $<
