/* test_bridge_config.c: unit tests of --net bridge and -p parsing, UNIKIT_BRIDGE/UNIKIT_SUBNET, and address leases (launcher/net/). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "container/fsutil.h"
#include "net/net.h"
#include "run_options.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static enum run_parse_result parse(int argc, char **argv, struct run_config *cfg,
                                   struct uk_error *err)
{
    memset(err, 0, sizeof(*err));
    return run_options_parse(argc, argv, cfg, err);
}

static void flags(void)
{
    struct run_config cfg;
    struct uk_error err;
    char *ok[] = {"run", "--net", "bridge", "-p", "8080:80", "--publish=9000:9001", "x.elf"};
    char *dup[] = {"run", "--net", "bridge", "-p", "8080:80", "-p", "8080:81", "x.elf"};
    char *none[] = {"run", "--net", "none", "-p", "8080:80", "x.elf"};
    char *ip[] = {"run", "--net", "bridge", "--ip", "10.0.0.2/24", "x.elf"};
    char *dflt[] = {"run", "x.elf"};
    const char *bad[] = {"80", "0:80", "80:0", "65536:80", "a:b", "80:80:80", ":80", "80:"};

    check(parse(ARGC(ok), ok, &cfg, &err) == RUN_PARSE_OK && cfg.net.kind == NET_BRIDGE &&
              cfg.nports == 2 && cfg.ports[0].host == 8080 && cfg.ports[0].guest == 80 &&
              cfg.ports[1].host == 9000 && cfg.ports[1].guest == 9001,
          "bridge-publish", "%s", err.msg);
    run_options_free(&cfg);
    check(parse(ARGC(dup), dup, &cfg, &err) == RUN_PARSE_ERROR && strstr(err.msg, "published twice"),
          "publish-twice", "\"%s\"", err.msg);
    run_options_free(&cfg);
    check(parse(ARGC(none), none, &cfg, &err) == RUN_PARSE_ERROR &&
              strstr(err.msg, "-p needs --net bridge"), "publish-needs-bridge", "\"%s\"", err.msg);
    run_options_free(&cfg);
    check(parse(ARGC(ip), ip, &cfg, &err) == RUN_PARSE_ERROR && strstr(err.msg, "leases"),
          "bridge-no-ip", "\"%s\"", err.msg);
    run_options_free(&cfg);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char name[64];
        char *argv[] = {"run", "--net", "bridge", "-p", (char *)bad[i], "x.elf"};
        snprintf(name, sizeof(name), "publish-bad %s", bad[i]);
        check(parse(ARGC(argv), argv, &cfg, &err) == RUN_PARSE_ERROR &&
                  strstr(err.msg, "HOSTPORT:GUESTPORT"), name, "\"%s\"", err.msg);
        run_options_free(&cfg);
    }
    unsetenv("UNIKIT_NET");
    check(parse(ARGC(dflt), dflt, &cfg, &err) == RUN_PARSE_OK && cfg.net.kind == NET_BRIDGE,
          "default-bridge", "kind %d", cfg.net.kind);
    run_options_free(&cfg);
    setenv("UNIKIT_NET", "none", 1);
    check(parse(ARGC(dflt), dflt, &cfg, &err) == RUN_PARSE_OK && cfg.net.kind == NET_NONE,
          "default-none-from-env", "kind %d", cfg.net.kind);
    run_options_free(&cfg);
    setenv("UNIKIT_NET", "bridge", 1);
    check(parse(ARGC(dflt), dflt, &cfg, &err) == RUN_PARSE_OK && cfg.net.kind == NET_BRIDGE,
          "default-from-env", "kind %d", cfg.net.kind);
    run_options_free(&cfg);
    setenv("UNIKIT_NET", "tap", 1);
    check(parse(ARGC(dflt), dflt, &cfg, &err) == RUN_PARSE_ERROR && strstr(err.msg, "UNIKIT_NET"),
          "default-env-bad", "\"%s\"", err.msg);
    run_options_free(&cfg);
    unsetenv("UNIKIT_NET");
}

static void bridge_env(void)
{
    struct bridge_config br;
    struct uk_error err = {0};

    unsetenv(NET_BRIDGE_ENV);
    unsetenv(NET_SUBNET_ENV);
    check(bridge_config_get(&br, &err) == 0 && strcmp(br.name, "unikit0") == 0 &&
              br.subnet == 0x0a580000 && br.prefix == 16 && br.gw == 0x0a580001,
          "bridge-defaults", "%s", err.msg);
    setenv(NET_BRIDGE_ENV, "br-test", 1);
    setenv(NET_SUBNET_ENV, "192.168.7.0/24", 1);
    check(bridge_config_get(&br, &err) == 0 && strcmp(br.name, "br-test") == 0 &&
              br.gw == 0xc0a80701 && br.prefix == 24, "bridge-env", "%s", err.msg);
    setenv(NET_SUBNET_ENV, "192.168.7.5/24", 1);
    check(bridge_config_get(&br, &err) < 0 && strstr(err.msg, "bits set outside"),
          "subnet-host-bits", "\"%s\"", err.msg);
    setenv(NET_SUBNET_ENV, "10.0.0.0/31", 1);
    check(bridge_config_get(&br, &err) < 0 && strstr(err.msg, "8 to 30"), "subnet-prefix",
          "\"%s\"", err.msg);
    setenv(NET_SUBNET_ENV, "10.0.0.0/24", 1);
    setenv(NET_BRIDGE_ENV, "a-name-far-too-long", 1);
    check(bridge_config_get(&br, &err) < 0 && strstr(err.msg, "a bridge name"), "bridge-name",
          "\"%s\"", err.msg);
    unsetenv(NET_BRIDGE_ENV);
    unsetenv(NET_SUBNET_ENV);
}

static void leases(void)
{
    char root[] = "/tmp/test_bridge_config.XXXXXX", rec[256];
    struct bridge_config br = {.name = "br0", .subnet = 0x0a000000, .prefix = 29, .gw = 0x0a000001};
    struct uk_error err = {0};
    uint32_t a = 0, b = 0, c = 0;
    pid_t dead;

    if (mkdtemp(root) == NULL)
        return;
    /* /29: hosts .1 (the bridge) to .6, so five leases. */
    check(lease_take(root, &br, "one", "kind tap\n", &a, &err) == 0 && a == 0x0a000002,
          "lease-first", "%s, %08x", err.msg, a);
    check(lease_take(root, &br, "two", "kind veth\n", &b, &err) == 0 && b == 0x0a000003,
          "lease-second", "%s, %08x", err.msg, b);
    check(lease_read(root, "br0", b, rec, sizeof(rec)) == 0 && strstr(rec, "owner two\nkind veth\n"),
          "lease-record", "\"%s\"", rec);
    lease_free(root, "br0", a);
    check(lease_take(root, &br, "three", "", &c, &err) == 0 && c == a, "lease-reuse-freed",
          "%08x", c);
    for (int i = 0; i < 3; i++)
        lease_take(root, &br, "more", "", &c, &err);
    check(lease_take(root, &br, "full", "", &c, &err) < 0 && strstr(err.msg, "no free address"),
          "lease-full", "\"%s\"", err.msg);
    /* A lease whose holder died, of an instance that no longer exists, is taken over. */
    lease_free(root, "br0", b);
    dead = fork();
    if (dead == 0) {
        struct uk_error e;
        uint32_t x;
        _exit(lease_take(root, &br, "gone", "", &x, &e) == 0 && x == b ? 0 : 1);
    }
    int st;
    waitpid(dead, &st, 0);
    check(WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
              lease_take(root, &br, "after", "", &c, &err) == 0 && c == b,
          "lease-stale-taken-over", "%s, %08x", err.msg, c);
    fs_remove_tree(root);
}

int main(void)
{
    flags();
    bridge_env();
    leases();
    return check_status();
}
