/* test_blk.c: unit tests of the virtio-mmio transport and virtio-blk model, driven like a guest driver would. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../../tests/unit/check.h"
#include "../virtio.h"
#include "vq_driver.h"

#define QSIZE 8
#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000
#define REQ 0x4000 /* header */
#define BUF 0x5000 /* data */
#define STATUS 0x7000

static uint8_t ram[0x10000];
static const struct guest_mem mem = {.base = ram, .size = sizeof ram};
static uint16_t avail_idx;

static uint32_t rd(struct vdev *d, uint64_t off)
{
    uint8_t b[4];
    vdev_mmio_access(d, off, false, b, 4);
    uint32_t v;
    memcpy(&v, b, 4);
    return v;
}

static void wr(struct vdev *d, uint64_t off, uint32_t v)
{
    vdev_mmio_access(d, off, true, (uint8_t *)&v, 4);
}

/* Section 3.1.1, the driver's side of the handshake. */
static bool handshake(struct vdev *d, uint64_t features, uint64_t used_gpa)
{
    wr(d, 0x70, 0);         /* reset */
    wr(d, 0x70, 1 | 2);     /* ACKNOWLEDGE | DRIVER */
    wr(d, 0x24, 0);
    wr(d, 0x20, (uint32_t)features);
    wr(d, 0x24, 1);
    wr(d, 0x20, (uint32_t)(features >> 32));
    wr(d, 0x70, 1 | 2 | 8); /* FEATURES_OK */
    if (!(rd(d, 0x70) & 8))
        return false;
    wr(d, 0x30, 0);
    wr(d, 0x38, QSIZE);
    wr(d, 0x80, DESC);
    wr(d, 0x90, AVAIL);
    wr(d, 0xa0, (uint32_t)used_gpa);
    wr(d, 0x44, 1);
    wr(d, 0x70, 1 | 2 | 8 | 4); /* DRIVER_OK */
    memset(ram, 0, DESC + 0x3000);
    avail_idx = 0;
    return rd(d, 0x44) == 1;
}

static void put_desc(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
    vq_put_desc(ram, DESC, i, addr, len, flags, next);
}

/* One request of three descriptors (header, data, status), the classic
 * layout; returns the used length, the status byte in *status. */
static uint32_t request(struct vdev *d, uint32_t type, uint64_t sector,
                        uint32_t len, bool device_writes, uint8_t *status)
{
    memcpy(ram + REQ, &type, 4);
    memset(ram + REQ + 4, 0, 4);
    memcpy(ram + REQ + 8, &sector, 8);
    ram[STATUS] = 0xee;
    put_desc(0, REQ, 16, 1, 1);
    put_desc(1, BUF, len, (uint16_t)(1 | (device_writes ? 2 : 0)), 2);
    put_desc(2, STATUS, 1, 2, 0);
    vq_offer(ram, AVAIL, QSIZE, &avail_idx, 0);
    vdev_service(d);
    uint32_t used_len;
    memcpy(&used_len, ram + USED + 4 + 8 * ((avail_idx - 1) % QSIZE) + 4, 4);
    *status = ram[STATUS];
    return used_len;
}

static struct vdev *make_disk(char *path, bool ro)
{
    int fd = mkstemp(path);
    uint8_t zero[4096] = {0};
    if (fd < 0 || write(fd, zero, sizeof zero) != (ssize_t)sizeof zero)
        return NULL;
    close(fd);
    return blk_create(&mem, path, ro);
}

#define VERSION_1 (1ull << 32)
#define F_FLUSH (1ull << 9)

static void test_rw(void)
{
    char path[] = "/tmp/unikit-blk-XXXXXX";
    struct vdev *d = make_disk(path, false);
    if (!check(d != NULL, "blk_create", "could not create the disk"))
        return;
    check(rd(d, 0) == 0x74726976 && rd(d, 4) == 2 && rd(d, 8) == 2,
          "mmio_identity", "magic/version/device id wrong");
    uint64_t cap;
    vdev_mmio_access(d, 0x100, false, (uint8_t *)&cap, 8);
    check(cap == 8, "blk_capacity", "capacity %llu sectors, want 8",
          (unsigned long long)cap);
    check(handshake(d, VERSION_1 | F_FLUSH, USED), "mmio_handshake",
          "FEATURES_OK or QueueReady refused");

    uint8_t st;
    for (int i = 0; i < 1024; i++)
        ram[BUF + i] = (uint8_t)(i * 7 + 1);
    uint32_t used = request(d, 1, 2, 1024, false, &st); /* OUT */
    check(st == 0 && used == 1, "blk_write", "status %u used %u", st, used);
    memset(ram + BUF, 0, 1024);
    used = request(d, 0, 2, 1024, true, &st); /* IN */
    bool same = true;
    for (int i = 0; i < 1024; i++)
        same &= ram[BUF + i] == (uint8_t)(i * 7 + 1);
    check(st == 0 && used == 1025 && same, "blk_read_back",
          "status %u used %u same %d", st, used, same);

    uint8_t file[1024];
    FILE *f = fopen(path, "rb");
    bool on_disk = f && fseek(f, 1024, SEEK_SET) == 0 &&
                   fread(file, 1, sizeof file, f) == sizeof file &&
                   memcmp(file, ram + BUF, sizeof file) == 0;
    if (f)
        fclose(f);
    check(on_disk, "blk_file_contents", "file at sector 2 differs");

    request(d, 0, 7, 1024, true, &st); /* sectors 7..8 of 8 */
    check(st == 1, "blk_read_past_end", "status %u, want IOERR", st);
    request(d, 0, UINT64_MAX / 256, 512, true, &st);
    check(st == 1, "blk_sector_overflow", "status %u, want IOERR", st);
    request(d, 0, 0, 100, true, &st);
    check(st == 1, "blk_partial_sector", "status %u, want IOERR", st);
    request(d, 4, 0, 0, false, &st);
    check(st == 0, "blk_flush", "status %u", st);
    used = request(d, 8, 0, 20, true, &st);
    check(st == 0 && used == 21 && memcmp(ram + BUF, "unikit-blk-", 11) == 0,
          "blk_get_id", "status %u used %u id %.20s", st, used, ram + BUF);
    request(d, 99, 0, 0, false, &st);
    check(st == 2, "blk_unsupported", "status %u, want UNSUPP", st);

    /* A chain that loops is refused: used length 0, status untouched. */
    put_desc(0, REQ, 16, 1, 0);
    vq_offer(ram, AVAIL, QSIZE, &avail_idx, 0);
    ram[STATUS] = 0xee;
    check(vdev_service(d) == 1 && ram[STATUS] == 0xee, "blk_loop_refused",
          "loop not refused cleanly");
    blk_destroy(d);
    unlink(path);
}

static void test_ro_and_negotiation(void)
{
    char path[] = "/tmp/unikit-blk-XXXXXX";
    struct vdev *d = make_disk(path, true);
    if (!check(d != NULL, "blk_create_ro", "could not create the disk"))
        return;
    wr(d, 0x14, 0);
    check(rd(d, 0x10) & (1u << 5), "blk_ro_feature", "VIRTIO_BLK_F_RO not offered");
    check(!handshake(d, F_FLUSH, USED), "mmio_needs_version_1",
          "FEATURES_OK accepted without VIRTIO_F_VERSION_1");
    check(!handshake(d, VERSION_1 | (1ull << 40), USED),
          "mmio_unoffered_feature", "FEATURES_OK accepted an unoffered bit");
    check(handshake(d, VERSION_1, USED), "mmio_handshake_ro", "refused");
    uint8_t st;
    memset(ram + BUF, 0xab, 512);
    request(d, 1, 0, 512, false, &st);
    uint8_t first[512];
    FILE *f = fopen(path, "rb");
    bool untouched = f && fread(first, 1, 512, f) == 512 && first[0] == 0;
    if (f)
        fclose(f);
    check(st == 1 && untouched, "blk_ro_write_ioerr",
          "status %u, file untouched %d", st, untouched);
    check(!handshake(d, VERSION_1, sizeof ram - 8) && (rd(d, 0x70) & 64),
          "mmio_ring_outside_ram", "queue outside RAM went live");
    wr(d, 0x70, 0);
    check(rd(d, 0x70) == 0 && rd(d, 0x44) == 0, "mmio_reset",
          "reset left status or queue");
    blk_destroy(d);
    unlink(path);
}

int main(void)
{
    static const char *const missing = "/nonexistent/disk.img";
    check(blk_create(&mem, missing, false) == NULL, "blk_missing_file",
          "opened a missing file");
    char empty[] = "/tmp/unikit-blk-XXXXXX";
    int fd = mkstemp(empty);
    close(fd);
    check(blk_create(&mem, empty, false) == NULL, "blk_empty_file",
          "accepted an empty disk");
    unlink(empty);
    test_rw();
    test_ro_and_negotiation();
    return check_status();
}
