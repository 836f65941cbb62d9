/* test_resp.c: host unit tests of kvstore's RESP parser (arrays, inline, errors) and glob matching. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "kvstore.h"

static struct request req;

static long parse(const char *text, char *copy, const char **err)
{
    strcpy(copy, text);
    *err = NULL;
    return resp_parse(copy, strlen(copy), &req, err);
}

static int arg_eq(int i, const char *s)
{
    return i < req.argc && req.argv[i].n == strlen(s) && memcmp(req.argv[i].p, s, req.argv[i].n) == 0;
}

static void test_resp(void)
{
    char b[256];
    const char *err;
    long n = parse("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n*1", b, &err);
    check(n == 26 && req.argc == 3 && arg_eq(0, "SET") && arg_eq(1, "k") && arg_eq(2, ""), "kv-resp-array",
          "took %ld, argc %d", n, req.argc);
    check(parse("*2\r\n$3\r\nGET\r\n$3\r\nab", b, &err) == 0, "kv-resp-partial-bulk", "needs more");
    check(parse("*2\r\n$3\r\nGET\r", b, &err) == 0, "kv-resp-partial-line", "needs more");
    check(parse("*2\r\n$3\r\nGET\r\n$3\r\na\r\n\r\n", b, &err) == 22 && arg_eq(1, "a\r\n"), "kv-resp-binary",
          "CRLF inside a bulk");
    check(parse("*0\r\n", b, &err) == 4 && req.argc == 0, "kv-resp-empty-array", "no arguments");
    check(parse("*1\r\n+OK\r\n", b, &err) == -1 && err, "kv-resp-not-bulk", "expected '$'");
    check(parse("*x\r\n", b, &err) == -1, "kv-resp-bad-count", "bad count");
    check(parse("*1\r\n$-3\r\n", b, &err) == -1, "kv-resp-bad-length", "negative length");
    check(parse("*1\r\n$99999999999\r\n", b, &err) == -1, "kv-resp-huge-length", "length over the limit");
    check(parse("*1\r\n$2\r\nabc\r\n", b, &err) == -1, "kv-resp-no-crlf", "bulk not followed by CRLF");

    n = parse("SET  \"a b\" 'c d' \"\\x41\\n\"\r\nPING", b, &err);
    check(n == 27 && req.argc == 4 && arg_eq(1, "a b") && arg_eq(2, "c d") && arg_eq(3, "A\n"), "kv-resp-inline",
          "took %ld, argc %d", n, req.argc);
    check(parse("PING", b, &err) == 0, "kv-resp-inline-partial", "needs a newline");
    check(parse("\r\n", b, &err) == 2 && req.argc == 0, "kv-resp-inline-empty", "an empty line");
    check(parse("SET \"a\r\n", b, &err) == -1, "kv-resp-inline-unbalanced", "unbalanced quotes");
    check(parse("SET \"a\"b\r\n", b, &err) == -1, "kv-resp-inline-quote-glued", "a word after a closing quote");
}

static void test_reply(void)
{
    struct buf out = {0};
    reply_simple(&out, "OK");
    reply_error(&out, "ERR bad %s", "x\r\ny");
    reply_int(&out, -42);
    reply_bulk(&out, "ab", 2);
    reply_null(&out);
    reply_array(&out, 3);
    const char *want = "+OK\r\n-ERR bad x  y\r\n:-42\r\n$2\r\nab\r\n$-1\r\n*3\r\n";
    check(out.len == strlen(want) && memcmp(out.data, want, out.len) == 0, "kv-reply-encoding", "got %.*s",
          (int)out.len, out.data);
    buf_free(&out);
}

static void glob_case(const char *pat, const char *s, int want)
{
    char name[128];
    snprintf(name, sizeof(name), "kv-glob %s ~ %s", pat, s);
    check(glob_match(pat, strlen(pat), s, strlen(s)) == want, name, "expected %d", want);
}

static void test_glob(void)
{
    glob_case("*", "", 1);
    glob_case("*", "anything", 1);
    glob_case("h?llo", "hello", 1);
    glob_case("h?llo", "hllo", 0);
    glob_case("h*llo", "heeeello", 1);
    glob_case("h[ae]llo", "hallo", 1);
    glob_case("h[ae]llo", "hillo", 0);
    glob_case("h[^e]llo", "hallo", 1);
    glob_case("h[^e]llo", "hello", 0);
    glob_case("h[a-b]llo", "hbllo", 1);
    glob_case("key:*:end", "key:1:2:end", 1);
    glob_case("key:*:end", "key:1:2:en", 0);
    glob_case("a\\*b", "a*b", 1);
    glob_case("a\\*b", "axb", 0);
    glob_case("*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0);
}


int main(void)
{
    test_resp();
    test_reply();
    test_glob();
    return check_status();
}
