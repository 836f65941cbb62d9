/* test_http.c: host unit tests of httpd's request parser, path normalisation and MIME table. */
#include <string.h>

#include "check.h"
#include "httpd.h"

static int parse(const char *text, struct http_request *req)
{
    return http_parse(text, strlen(text), req);
}

static void test_parse(void)
{
    struct http_request r;
    int s = parse("GET /a/b?q=1 HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\nGET /next", &r);
    check(s == 0 && r.method == HTTP_GET && r.target_len == 8 && memcmp(r.target, "/a/b?q=1", 8) == 0 &&
              r.minor == 1 && r.keep_alive && r.head_len == strlen("GET /a/b?q=1 HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n"),
          "httpd-parse-get", "status %d", s);
    check(parse("HEAD / HTTP/1.0\r\n\r\n", &r) == 0 && r.method == HTTP_HEAD && !r.keep_alive, "httpd-parse-http10",
          "1.0 without keep-alive must close");
    check(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &r) == 0 && r.keep_alive, "httpd-parse-10-keepalive",
          "1.0 with keep-alive");
    check(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade, close\r\n\r\n", &r) == 0 && !r.keep_alive,
          "httpd-parse-close", "Connection: close in a list");
    check(parse("GET / HTTP/1.1\nHost: x\n\n", &r) == 0, "httpd-parse-bare-lf", "bare LF lines");
    check(parse("\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", &r) == 0, "httpd-parse-leading-crlf", "leading CRLF");
    check(parse("DELETE / HTTP/1.1\r\nHost: x\r\n\r\n", &r) == 0 && r.method == HTTP_OTHER, "httpd-parse-other",
          "other methods parse (and get 405)");
    check(parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n", &r) == 0 && r.body_len == 12,
          "httpd-parse-length", "Content-Length");
    check(parse("GET / HTTP/1.1\r\nHost: x\r\n", &r) == -1 && parse("GET / HT", &r) == -1, "httpd-parse-partial",
          "a partial head needs more");

    static const struct {
        const char *text;
        int status;
    } bad[] = {
        {"GARBAGE\r\n\r\n", 400},
        {"GET /\r\n\r\n", 400},
        {"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400},
        {"G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
        {"GET / FTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n", 413},
        {"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int got = parse(bad[i].text, &r);
        check(got == bad[i].status, bad[i].text, "status %d, expected %d", got, bad[i].status);
    }

    static char big[HTTP_MAX_HEAD + 100];
    memset(big, 'a', sizeof(big) - 1);
    memcpy(big, "GET /", 5);
    check(parse(big, &r) == 414, "httpd-parse-414-unterminated", "a long request line without its end");
    memcpy(big, "GET / HTTP/1.1\r\nHost: x\r\nX: ", 28);
    check(parse(big, &r) == 431, "httpd-parse-431", "a header section past the limit");
}

static void path_case(const char *target, int want_status, const char *want_path, int want_dir)
{
    char out[HTTP_MAX_PATH];
    int dir = -1;
    int s = http_path(target, strlen(target), out, sizeof(out), &dir);
    int ok = s == want_status && (s != 0 || (strcmp(out, want_path) == 0 && dir == want_dir));
    check(ok, target, "status %d path '%s' dir %d", s, s == 0 ? out : "", dir);
}

static void test_path(void)
{
    path_case("/", 0, "/", 1);
    path_case("/a/b.html", 0, "/a/b.html", 0);
    path_case("/a//b/./c", 0, "/a/b/c", 0);
    path_case("/a/b/", 0, "/a/b", 1);
    path_case("/a/b/../c", 0, "/a/c", 0);
    path_case("/a/..", 0, "/", 1);
    path_case("/a/b/..", 0, "/a", 1);
    path_case("/x%20y%2Fz?q=/../..", 0, "/x y/z", 0);
    path_case("/..", 403, NULL, 0);
    path_case("/../etc/passwd", 403, NULL, 0);
    path_case("/a/../../etc", 403, NULL, 0);
    path_case("/%2e%2e/etc/passwd", 403, NULL, 0);
    path_case("/a/%2E%2E%2f%2e%2e%2Fetc", 403, NULL, 0);
    path_case("/a%00b", 400, NULL, 0);
    path_case("/a%2", 400, NULL, 0);
    path_case("/a%zz", 400, NULL, 0);
    path_case("a/b", 400, NULL, 0);
    path_case("http://host/a", 400, NULL, 0);
}

static void test_mime(void)
{
    check(strcmp(mime_type("/a/index.html"), "text/html; charset=utf-8") == 0 &&
              strcmp(mime_type("/x.PNG"), "image/png") == 0 &&
              strcmp(mime_type("/dir.d/file"), "application/octet-stream") == 0 &&
              strcmp(mime_type("/noext"), "application/octet-stream") == 0,
          "httpd-mime", "extension lookup");
}

int main(void)
{
    test_parse();
    test_path();
    test_mime();
    return check_status();
}
