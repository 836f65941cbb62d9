/* test_mem.c: unit tests of the checked guest-physical accessor: bounds and overflow. */
#include "../../../tests/unit/check.h"
#include "../vmm_internal.h"

int main(void)
{
    static uint8_t ram[4096];
    const struct guest_mem mem = {.base = ram, .size = sizeof ram};
    const struct guest_mem none = {0};

    check(gpa_ptr(&mem, 0, 4096) == ram, "mem_whole_ram", "whole RAM refused");
    check(gpa_ptr(&mem, 4095, 1) == ram + 4095, "mem_last_byte",
          "last byte refused");
    check(gpa_ptr(&mem, 4096, 0) != NULL, "mem_empty_at_end",
          "an empty range at the end is inside");
    check(gpa_ptr(&mem, 4096, 1) == NULL, "mem_past_end", "byte past the end");
    check(gpa_ptr(&mem, 4000, 97) == NULL, "mem_straddles_end",
          "range straddling the end");
    check(gpa_ptr(&mem, 1, UINT64_MAX) == NULL, "mem_len_overflow",
          "gpa + len wraps around");
    check(gpa_ptr(&mem, UINT64_MAX, 2) == NULL, "mem_gpa_overflow",
          "huge gpa");
    check(gpa_ptr(&mem, UINT64_MAX - 10, 20) == NULL, "mem_wraps_to_zero",
          "range wrapping to address 0");
    check(gpa_ptr(&none, 0, 0) == NULL, "mem_unmapped", "no RAM at all");
    return check_status();
}
