/* blk_pattern.c: host-side check of the disk test_blk.elf wrote: its three patterns, where tests/guest/blk/blk.c puts them. */
#include <stdio.h>
#include <stdlib.h>

#include "../../../tests/unit/check.h"

#define SECTOR 512
#define REGION (64 * SECTOR) /* blk.c's write buffer */

/* blk.c's fill(): buf[i] = seed * 31 + i * 7 (mod 256). */
static long first_mismatch(FILE *f, long offset, unsigned seed)
{
    static unsigned char buf[REGION];
    if (fseek(f, offset, SEEK_SET) != 0 || fread(buf, 1, REGION, f) != REGION)
        return 0;
    for (long i = 0; i < REGION; i++)
        if (buf[i] != (unsigned char)(seed * 31 + (unsigned long)i * 7))
            return offset + i;
    return -1;
}

/* Usage: blk_pattern DISK: checks the regions at 0 (seed 1), 128 sectors
 * (seed 2) and the last 64 sectors (seed 3). */
int main(int argc, char **argv)
{
    FILE *f = argc == 2 ? fopen(argv[1], "rb") : NULL;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0)
        return !check(false, "blk-host-open", "cannot open the disk");
    long size = ftell(f);
    const long offsets[3] = {0, 128 * SECTOR, size - REGION};
    const char *names[3] = {"blk-host-pattern-start", "blk-host-pattern-sector-128",
                            "blk-host-pattern-end"};
    for (int i = 0; i < 3; i++) {
        long bad = first_mismatch(f, offsets[i], (unsigned)i + 1);
        check(bad < 0, names[i], "byte 0x%lx differs from the guest's pattern", bad);
    }
    fclose(f);
    return check_status();
}
