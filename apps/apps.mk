# apps.mk: one image per folder of apps/ (and per guest test in tests/guest/): build/apps/<name>.elf.
#
# An image is linked twice: the first pass gives the function addresses, from
# which tools/mksyms.sh makes the symbol table the panic report uses; the
# second pass links that table in after everything it describes.

APP_NAMES  := $(notdir $(patsubst %/,%,$(wildcard apps/*/)))
TEST_NAMES := $(filter-out include,$(notdir $(patsubst %/,%,$(wildcard tests/guest/*/)))) # include/: their shared header
ALL_IMAGES := $(APP_NAMES:%=$(BUILD)/apps/%.elf) $(TEST_NAMES:%=$(BUILD)/apps/test_%.elf)

ifeq ($(TARGET),linux)
IMAGES := # apps/linux.mk puts the Linux binaries here
else ifneq ($(APP),)
IMAGES := $(BUILD)/apps/$(APP).elf
else
IMAGES := $(ALL_IMAGES)
endif

images: $(IMAGES)
	@for i in $(IMAGES); do printf '  IMAGE   %-36s %7d bytes\n' $$i $$(stat -c %s $$i); done

$(BUILD)/syms_empty.o: tools/mksyms.sh
	@mkdir -p $(@D)
	$(Q)tools/mksyms.sh > $(BUILD)/syms_empty.S && $(CC) -c -o $@ $(BUILD)/syms_empty.S

LINK_GUEST = $(LD) -nostdlib -static -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments -T kernel/kernel.ld

# $(1) image name, $(2) source folder
define image_rules
$(1)_SRCS := $$(wildcard $(2)/*.c)
$(1)_OBJS := $$($(1)_SRCS:%.c=$(BUILD)/%.o)

$(BUILD)/$(2)/%.o: $(2)/%.c $$(wildcard $(2)/*.h) $(GUEST_FLAGS_STAMP)
	@mkdir -p $$(@D)
	@echo "  CC      $$<"
	$(Q)$(CC) $$(GUEST_CFLAGS) -I$(2) -Itests/guest/include -c -o $$@ $$<

$(BUILD)/apps/$(1).elf: $$($(1)_OBJS) $(KERNEL_OBJS) $(BUILD)/libos.a $(BUILD)/syms_empty.o kernel/kernel.ld tools/mksyms.sh $$(LWIP_LIB)
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$(LINK_GUEST) -o $$@.pass1 $(KERNEL_OBJS) $$($(1)_OBJS) $(BUILD)/syms_empty.o $$(GUEST_LIBS)
	$(Q)tools/mksyms.sh $$@.pass1 > $$@.syms.S && $(CC) -c -o $$@.syms.o $$@.syms.S
	$(Q)$(LINK_GUEST) -o $$@.dbg $(KERNEL_OBJS) $$($(1)_OBJS) $$@.syms.o $$(GUEST_LIBS)
	$(Q)objcopy --strip-debug $$@.dbg $$@
	$(Q)rm -f $$@.pass1 $$@.syms.S $$@.syms.o
endef

$(foreach a,$(APP_NAMES),$(eval $(call image_rules,$(a),apps/$(a))))
$(foreach t,$(TEST_NAMES),$(eval $(call image_rules,test_$(t),tests/guest/$(t))))
