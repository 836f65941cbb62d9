/* test_size.c: unit tests of launcher/size.c (memory sizes such as -m 32M). */
#include <inttypes.h>
#include <string.h>

#include "check.h"
#include "size.h"

static void parses(const char *text, uint64_t want)
{
    struct uk_error err = {0};
    uint64_t got = 0;
    char name[96];
    int ret = size_parse(text, &got, &err);

    snprintf(name, sizeof(name), "size parses \"%s\"", text);
    check(ret == 0 && got == want, name, "got %d, %" PRIu64 " (%s); expected %" PRIu64, ret,
          got, err.msg, want);
}

static void refuses(const char *text, const char *why_part)
{
    struct uk_error err = {0};
    uint64_t got = 0;
    char name[96];
    int ret = size_parse(text, &got, &err);

    snprintf(name, sizeof(name), "size refuses \"%s\"", text);
    check(ret < 0 && strstr(err.msg, why_part) != NULL, name,
          "got %d, %" PRIu64 ", message \"%s\"; expected an error with \"%s\"", ret, got,
          err.msg, why_part);
}

static void formats(uint64_t bytes, const char *want)
{
    char buf[32], name[96];

    snprintf(name, sizeof(name), "size formats %" PRIu64, bytes);
    size_format(bytes, buf, sizeof(buf));
    check(strcmp(buf, want) == 0, name, "got \"%s\", expected \"%s\"", buf, want);
}

int main(void)
{
    parses("32M", UINT64_C(32) << 20);
    parses("1G", UINT64_C(1) << 30);
    parses("512K", UINT64_C(512) << 10);
    parses("512k", UINT64_C(512) << 10);
    parses("4096", 4096);
    parses("0", 0);
    parses("1GiB", UINT64_C(1) << 30);
    parses("64mb", UINT64_C(64) << 20);
    parses("10T", UINT64_C(10) << 40);
    parses("18446744073709551615", UINT64_MAX);

    refuses("", "is not a size");
    refuses("abc", "is not a size");
    refuses("-1", "is not a size");
    refuses(" 32M", "is not a size");
    refuses("1.5G", "unknown unit");
    refuses("32X", "unknown unit");
    refuses("32MM", "unknown unit");
    refuses("32M ", "unknown unit");
    refuses("18446744073709551616", "too large");
    refuses("99999999999999999999999", "too large");
    refuses("16777216T", "too large");

    formats(UINT64_C(32) << 20, "32M");
    formats(UINT64_C(1536) << 10, "1536K");
    formats(UINT64_C(3) << 30, "3G");
    formats(100, "100");
    formats(0, "0");
    return check_status();
}
