/* http_response.c: formats response heads and the small error pages. */
#include <stdio.h>
#include <time.h>

#include "httpd.h"

const char *http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 301: return "Moved Permanently";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

/* The IMF-fixdate of now, recomputed once a second. */
static const char *date_now(void)
{
    static char text[40];
    static time_t last = -1;
    time_t now = time(NULL);
    if (now != last) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        last = now;
    }
    return text;
}

size_t http_head(char *out, size_t size, int status, const char *type, unsigned long long length,
                 int keep_alive, const char *extra)
{
    int n = snprintf(out, size,
                     "HTTP/1.1 %d %s\r\nDate: %s\r\nServer: unikit-httpd\r\n%s%s%s"
                     "Content-Length: %llu\r\nConnection: %s\r\n%s\r\n",
                     status, http_reason(status), date_now(), type ? "Content-Type: " : "",
                     type ? type : "", type ? "\r\n" : "", length, keep_alive ? "keep-alive" : "close",
                     extra ? extra : "");
    return (n < 0 || (size_t)n >= size) ? 0 : (size_t)n;
}

size_t http_error(char *out, size_t size, int status, int keep_alive, int head_only, const char *extra)
{
    char body[160];
    int bn = snprintf(body, sizeof(body), "<!DOCTYPE html>\n<title>%d %s</title>\n<h1>%d %s</h1>\n", status,
                      http_reason(status), status, http_reason(status));
    if (bn < 0 || (size_t)bn >= sizeof(body))
        bn = 0;
    size_t n = http_head(out, size, status, "text/html; charset=utf-8", (unsigned long long)bn,
                         keep_alive, extra);
    if (n == 0 || head_only || n + (size_t)bn > size)
        return n;
    for (int i = 0; i < bn; i++)
        out[n + (size_t)i] = body[i];
    return n + (size_t)bn;
}
