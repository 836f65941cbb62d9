/* test_net.c: the virtio-net model on a real tap, driven like a guest driver would; run inside a test's network namespace. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../../tests/unit/check.h"
#include "../virtio_net.h"
#include "vq_driver.h"

/*
 * Usage: test_net TAP HOST_IP GUEST_IP. TAP exists (persistent), is up and
 * has HOST_IP/24 in a namespace of the caller's own (tests/vmm_net.sh):
 * nothing here can reach another network.
 */

#define QSIZE 8
#define HDR 12
#define RX_DESC 0x1000 /* queue 0, receiveq1 (section 5.1.2) */
#define RX_AVAIL 0x2000
#define RX_USED 0x3000
#define TX_DESC 0x4000 /* queue 1, transmitq1 */
#define TX_AVAIL 0x5000
#define TX_USED 0x6000
#define RX_BUF 0x10000 /* QSIZE buffers of RX_BUF_LEN */
#define RX_BUF_LEN (HDR + 1526)
#define TX_BUF 0x20000

static uint8_t ram[0x40000];
static const struct guest_mem mem = {.base = ram, .size = sizeof ram};
static uint16_t rx_avail, tx_avail, rx_seen;
static const uint8_t guest_mac[6] = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc};
static int packet_fd, ifindex, epoll_fd;

static uint32_t reg(struct vdev *d, uint64_t off, bool write, uint32_t v)
{
    uint8_t b[4];
    memcpy(b, &v, 4);
    vdev_mmio_access(d, off, write, b, 4);
    memcpy(&v, b, 4);
    return v;
}

static void queue_setup(struct vdev *d, uint32_t q, uint64_t desc, uint64_t avail,
                        uint64_t used)
{
    reg(d, 0x30, true, q);
    reg(d, 0x38, true, QSIZE);
    reg(d, 0x80, true, (uint32_t)desc);
    reg(d, 0x90, true, (uint32_t)avail);
    reg(d, 0xa0, true, (uint32_t)used);
    reg(d, 0x44, true, 1);
}

/* Section 3.1.1 with the features the kernel's driver asks for. */
static bool handshake(struct vdev *d)
{
    memset(ram, 0, 0x8000);
    rx_avail = tx_avail = rx_seen = 0;
    reg(d, 0x70, true, 0);
    reg(d, 0x70, true, 1 | 2);
    reg(d, 0x24, true, 0);
    reg(d, 0x20, true, (1u << 5) | (1u << 16)); /* MAC, STATUS */
    reg(d, 0x24, true, 1);
    reg(d, 0x20, true, 1);                      /* VERSION_1 */
    reg(d, 0x70, true, 1 | 2 | 8);
    if (!(reg(d, 0x70, false, 0) & 8))
        return false;
    queue_setup(d, 0, RX_DESC, RX_AVAIL, RX_USED);
    queue_setup(d, 1, TX_DESC, TX_AVAIL, TX_USED);
    reg(d, 0x70, true, 1 | 2 | 8 | 4);
    return reg(d, 0x44, false, 0) == 1;
}

static void post_rx(uint16_t i, uint32_t len)
{
    vq_put_desc(ram, RX_DESC, i, RX_BUF + (uint64_t)i * 0x800, len, 2, 0);
    vq_offer(ram, RX_AVAIL, QSIZE, &rx_avail, i);
}

static uint16_t used_idx(uint64_t used)
{
    uint16_t v;
    memcpy(&v, ram + used + 2, 2);
    return v;
}

/* The next RX completion: its buffer and used length; false if none. */
static bool next_rx(uint16_t *id, uint32_t *len)
{
    if (used_idx(RX_USED) == rx_seen)
        return false;
    uint32_t e[2];
    memcpy(e, ram + RX_USED + 4 + 8 * (rx_seen++ % QSIZE), 8);
    *id = (uint16_t)e[0];
    *len = e[1];
    return true;
}

/* Waits (as the wait hypercall does) for the tap, then services the device. */
static unsigned wait_and_service(struct vdev *d, int timeout_ms)
{
    unsigned done = vdev_service(d);
    struct epoll_event ev;
    if (done == 0 && epoll_wait(epoll_fd, &ev, 1, timeout_ms) == 1)
        done = vdev_service(d);
    return done;
}

static void eth_header(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = (uint8_t)(type >> 8);
    f[13] = (uint8_t)type;
}

/* A frame sent into the tap from the namespace's side. */
static bool inject(uint16_t type, size_t len, uint8_t fill)
{
    uint8_t f[2048];
    static const uint8_t host_mac[6] = {0x02, 0, 0, 0, 0, 1};
    memset(f, fill, len);
    eth_header(f, guest_mac, host_mac, type);
    struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_ifindex = ifindex, .sll_halen = 6};
    memcpy(to.sll_addr, guest_mac, 6);
    return sendto(packet_fd, f, len, 0, (struct sockaddr *)&to, sizeof to) == (ssize_t)len;
}

/* Reads frames the tap handed the namespace (not its own replies) until
 * one has ethertype (type); its length, or -1 after 1 s. */
static ssize_t capture(uint16_t type, uint8_t *f, size_t cap)
{
    struct pollfd p = {.fd = packet_fd, .events = POLLIN};
    while (poll(&p, 1, 1000) == 1) {
        struct sockaddr_ll from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(packet_fd, f, cap, 0, (struct sockaddr *)&from, &fl);
        if (n >= 14 && from.sll_pkttype != PACKET_OUTGOING && f[12] == type >> 8 &&
            f[13] == (type & 0xff))
            return n;
    }
    return -1;
}

/* Offers a TX chain: the header in one descriptor, the frame in one or two. */
struct net_hdr_test {
    uint8_t b[HDR]; /* flags, gso_type, ...: section 5.1.6 */
};

static void send_tx(const struct net_hdr_test *hdr, const uint8_t *frame, size_t len,
                    bool split)
{
    uint16_t base = (uint16_t)((tx_avail * 3) % QSIZE);
    uint64_t at = TX_BUF + (uint64_t)(tx_avail % 4) * 0x1000;
    memcpy(ram + at, hdr->b, HDR);
    memcpy(ram + at + 0x100, frame, len);
    size_t first = split ? len / 2 : len;
    uint16_t d1 = (uint16_t)((base + 1) % QSIZE), d2 = (uint16_t)((base + 2) % QSIZE);
    vq_put_desc(ram, TX_DESC, base, at, HDR, 1, d1);
    vq_put_desc(ram, TX_DESC, d1, at + 0x100, (uint32_t)first, split ? 1 : 0, d2);
    if (split)
        vq_put_desc(ram, TX_DESC, d2, at + 0x100 + first, (uint32_t)(len - first), 0, 0);
    vq_offer(ram, TX_AVAIL, QSIZE, &tx_avail, base);
}

/* An ARP request from the guest for the host's address (RFC 826). */
static size_t arp_request(uint8_t *f, uint32_t host_ip, uint32_t guest_ip)
{
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    memset(f, 0, 60);
    eth_header(f, bcast, guest_mac, 0x0806);
    static const uint8_t fixed[8] = {0, 1, 8, 0, 6, 4, 0, 1}; /* Ethernet, IPv4, request */
    memcpy(f + 14, fixed, 8);
    memcpy(f + 22, guest_mac, 6);
    memcpy(f + 28, &guest_ip, 4);
    memcpy(f + 38, &host_ip, 4);
    return 60;
}

static void test_config(struct vdev *d)
{
    uint8_t cfg[8];
    vdev_mmio_access(d, 0x100, false, cfg, 8);
    check(memcmp(cfg, guest_mac, 6) == 0 && cfg[6] == 1 && cfg[7] == 0, "net_config_mac_status",
          "mac %02x:..:%02x status %u", cfg[0], cfg[5], cfg[6]);
    reg(d, 0x14, true, 0);
    uint32_t lo = reg(d, 0x10, false, 0);
    reg(d, 0x14, true, 1);
    uint32_t hi = reg(d, 0x10, false, 0);
    check(reg(d, 8, false, 0) == 1 && lo == ((1u << 5) | (1u << 16)) && hi == 1,
          "net_features", "device %u features %08x %08x: want MAC, STATUS, VERSION_1 only",
          reg(d, 8, false, 0), hi, lo);
    check(handshake(d), "net_handshake", "FEATURES_OK or a queue refused");
}

/* The host answers the guest's ARP request: TX to the tap, RX from it. */
static void test_arp(struct vdev *d, uint32_t host_ip, uint32_t guest_ip)
{
    static const struct net_hdr_test zero = {{0}};
    uint8_t f[2048];
    for (uint16_t i = 0; i < 4; i++)
        post_rx(i, RX_BUF_LEN);
    size_t len = arp_request(f, host_ip, guest_ip);
    send_tx(&zero, f, len, true);
    unsigned done = vdev_service(d);
    check(used_idx(TX_USED) == 1 && done == 0, "net_tx_completes_quietly",
          "used idx %u, service reported %u (a TX completion must not end a wait)",
          used_idx(TX_USED), done);
    ssize_t n = capture(0x0806, f, sizeof f);
    check(n == (ssize_t)len && memcmp(f + 6, guest_mac, 6) == 0, "net_tx_reaches_tap",
          "captured %zd bytes", n);

    uint16_t id = 0;
    uint32_t used = 0;
    uint8_t *buf = ram;
    bool got = false;
    for (int tries = 0; !got && tries < 4 && wait_and_service(d, 1000) > 0;) {
        while (!got && next_rx(&id, &used)) {
            buf = ram + RX_BUF + (uint64_t)id * 0x800;
            got = used >= HDR + 42 && buf[HDR + 12] == 8 && buf[HDR + 13] == 6;
            post_rx(id, RX_BUF_LEN); /* something else: give the buffer back */
            tries++;
        }
    }
    uint16_t num_buffers;
    memcpy(&num_buffers, buf + 10, 2);
    check(got && used >= HDR + 42 && buf[HDR + 12] == 8 && buf[HDR + 13] == 6 &&
              buf[HDR + 21] == 2 && memcmp(buf + HDR, guest_mac, 6) == 0,
          "net_rx_arp_reply", "got %d, used %u, ethertype %02x%02x op %u", got, used,
          buf[HDR + 12], buf[HDR + 13], buf[HDR + 21]);
    check(got && buf[0] == 0 && buf[1] == 0 && num_buffers == 1, "net_rx_header",
          "flags %u gso %u num_buffers %u: want 0, 0, 1", buf[0], buf[1], num_buffers);
}

/* Frames injected from the namespace; sizes; no buffers; refused chains. */
static void test_rx_paths(struct vdev *d)
{
    uint16_t id;
    uint32_t used;
    while (next_rx(&id, &used)) /* whatever else the host said (IPv6 noise) */
        ;
    bool sent = inject(0x88b5, 1400, 0x5a);
    bool got = sent && wait_and_service(d, 1000) > 0 && next_rx(&id, &used);
    const uint8_t *buf = ram + RX_BUF + (uint64_t)id * 0x800;
    check(got && used == HDR + 1400 && buf[HDR + 12] == 0x88 && buf[HDR + 1399] == 0x5a,
          "net_rx_injected_frame", "sent %d got %d used %u", sent, got, used);

    /* Buffers used up: the rest wait in the tap, and the tap stops waking us. */
    handshake(d);
    post_rx(0, HDR + 100); /* room for 100 bytes only */
    vdev_service(d);
    uint64_t big_before = net_stats(d)->rx_too_big;
    inject(0x88b5, 500, 1);
    inject(0x88b5, 80, 2);
    usleep(20000);
    vdev_service(d);
    got = next_rx(&id, &used);
    check(got && used == HDR + 80 && net_stats(d)->rx_too_big == big_before + 1,
          "net_rx_too_big_dropped", "got %d used %u too big %llu", got, used,
          (unsigned long long)(net_stats(d)->rx_too_big - big_before));
    inject(0x88b5, 60, 3);
    usleep(20000);
    struct epoll_event ev;
    check(vdev_service(d) == 0 && epoll_wait(epoll_fd, &ev, 1, 50) == 0, "net_rx_no_buffer_quiet",
          "a frame with no RX buffer woke the wait");
    post_rx(1, RX_BUF_LEN);
    got = vdev_service(d) == 1 && next_rx(&id, &used);
    check(got && id == 1 && used == HDR + 60, "net_rx_after_repost", "got %d id %u used %u",
          got, id, used);

    /* A receive chain the device may read, or too short for the header. */
    uint64_t bad = net_stats(d)->rx_bad_buffers;
    vq_put_desc(ram, RX_DESC, 2, RX_BUF + 0x1000, 100, 0, 0);
    vq_offer(ram, RX_AVAIL, QSIZE, &rx_avail, 2);
    vq_put_desc(ram, RX_DESC, 3, RX_BUF + 0x1800, 8, 2, 0);
    vq_offer(ram, RX_AVAIL, QSIZE, &rx_avail, 3);
    unsigned done = vdev_service(d);
    check(done == 2 && net_stats(d)->rx_bad_buffers == bad + 2 && next_rx(&id, &used) &&
              used == 0,
          "net_rx_bad_chains_refused", "done %u, refused %llu", done,
          (unsigned long long)(net_stats(d)->rx_bad_buffers - bad));
}

static void test_tx_refusals(struct vdev *d)
{
    struct net_hdr_test gso = {{0, 1}}, csum = {{1, 0}}, zero = {{0}};
    uint8_t f[64] = {0};
    eth_header(f, guest_mac, guest_mac, 0x88b5);
    uint64_t dropped = net_stats(d)->tx_dropped, frames = net_stats(d)->tx_frames;
    send_tx(&gso, f, 60, false);
    send_tx(&csum, f, 60, false);
    send_tx(&zero, f, 10, false); /* shorter than an Ethernet header */
    vdev_service(d);
    check(net_stats(d)->tx_dropped == dropped + 3 && net_stats(d)->tx_frames == frames &&
              used_idx(TX_USED) == tx_avail,
          "net_tx_bad_frames_dropped", "dropped %llu sent %llu used %u of %u",
          (unsigned long long)(net_stats(d)->tx_dropped - dropped),
          (unsigned long long)(net_stats(d)->tx_frames - frames), used_idx(TX_USED), tx_avail);
}

/* A full transmit ring is the one case where sent buffers end a wait:
 * the driver may be waiting for room. */
static void test_tx_full_ring(struct vdev *d)
{
    handshake(d);
    uint8_t *f = ram + TX_BUF;
    memset(f, 0, HDR + 60);
    eth_header(f + HDR, guest_mac, guest_mac, 0x88b5);
    for (uint16_t i = 0; i < QSIZE; i++) {
        vq_put_desc(ram, TX_DESC, i, TX_BUF, HDR + 60, 0, 0);
        vq_offer(ram, TX_AVAIL, QSIZE, &tx_avail, i);
    }
    unsigned done = vdev_service(d);
    check(done == QSIZE && used_idx(TX_USED) == QSIZE, "net_tx_full_ring_wakes",
          "service reported %u, used idx %u; want %d and %d", done, used_idx(TX_USED), QSIZE,
          QSIZE);
}

/* Host-side cost of one frame each way through the model and the tap. */
static void measure(struct vdev *d)
{
    static const struct net_hdr_test zero = {{0}};
    uint8_t f[1514];
    enum { N = 2000 };
    memset(f, 0, sizeof f);
    eth_header(f, guest_mac, guest_mac, 0x88b5);
    handshake(d);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < N; i++) {
        send_tx(&zero, f, sizeof f, false);
        vdev_service(d);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double tx_ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / N;
    uint16_t id;
    uint32_t used;
    int rx = 0;
    double rx_ns = 0;
    for (int round = 0; round < N / QSIZE; round++) {
        for (uint16_t i = 0; i < QSIZE; i++)
            post_rx(i, RX_BUF_LEN);
        for (int i = 0; i < QSIZE; i++)
            inject(0x88b5, 1514, 7);
        usleep(1000);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        vdev_service(d);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        rx_ns += (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
        while (next_rx(&id, &used))
            rx++;
    }
    printf("measure: tx %.2f us per 1514-byte frame (one writev each); rx %.2f us per frame "
           "in batches of %d (%d received)\n",
           tx_ns / 1e3, rx ? rx_ns / rx / 1e3 : 0.0, QSIZE, rx);
}

/* A tap that does not exist is created, and goes when the device does. */
static void test_created_tap(void)
{
    const char *name = "ukntnew0";
    struct vdev *d = net_create(&mem, name, guest_mac);
    bool there = if_nametoindex(name) != 0;
    if (d != NULL)
        net_destroy(d);
    check(d != NULL && there && if_nametoindex(name) == 0, "net_created_tap_removed",
          "created %d, existed while open %d, left behind %d", d != NULL, there,
          if_nametoindex(name) != 0);
    check(net_create(&mem, "lo", guest_mac) == NULL, "net_not_a_tap_refused",
          "opened `lo` as a tap");
}

/* Carrier comes with our descriptor, but the kernel starts the tap's
 * queue (link watch) up to a second later: replies before that are lost. */
static bool wait_carrier(const char *tap)
{
    char path[64], state[16] = "";
    snprintf(path, sizeof path, "/sys/class/net/%s/operstate", tap);
    for (int i = 0; i < 300; i++, usleep(10000)) {
        FILE *f = fopen(path, "r");
        bool up = f != NULL && fgets(state, sizeof state, f) != NULL &&
                  strncmp(state, "down", 4) != 0;
        if (f != NULL)
            fclose(f);
        if (up)
            return true;
    }
    return false;
}

int main(int argc, char **argv)
{
    struct in_addr host_ip, guest_ip;
    if (argc != 4 || inet_pton(AF_INET, argv[2], &host_ip) != 1 ||
        inet_pton(AF_INET, argv[3], &guest_ip) != 1) {
        fprintf(stderr, "usage: test_net TAP HOST_IP GUEST_IP\n");
        return 2;
    }
    ifindex = (int)if_nametoindex(argv[1]);
    packet_fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    struct sockaddr_ll at = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
                             .sll_ifindex = ifindex};
    if (!check(ifindex > 0 && packet_fd >= 0 &&
                   bind(packet_fd, (struct sockaddr *)&at, sizeof at) == 0,
               "net_test_setup", "tap %s index %d: %s", argv[1], ifindex, strerror(errno)))
        return 1;
    struct vdev *d = net_create(&mem, argv[1], guest_mac);
    epoll_fd = epoll_create1(0);
    if (!check(d != NULL && net_watch(d, epoll_fd, 0) == 0, "net_create_existing_tap",
               "could not open tap %s", argv[1]))
        return 1;
    check(wait_carrier(argv[1]), "net_tap_carrier", "tap %s still down after 3 s", argv[1]);
    test_config(d);
    test_arp(d, host_ip.s_addr, guest_ip.s_addr);
    test_rx_paths(d);
    test_tx_refusals(d);
    test_tx_full_ring(d);
    measure(d);
    net_stats_print(d);
    net_destroy(d);
    check(if_nametoindex(argv[1]) != 0, "net_existing_tap_kept", "a tap we did not create went");
    test_created_tap();
    close(epoll_fd);
    close(packet_fd);
    return check_status();
}
