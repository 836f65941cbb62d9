/* iov.c: slicing and copying the scatter lists a descriptor chain hands the device. */
#include <string.h>

#include "iov.h"

size_t iov_total(const struct iovec *iov, unsigned n)
{
    size_t total = 0;
    for (unsigned i = 0; i < n; i++)
        total += iov[i].iov_len;
    return total;
}

unsigned iov_slice(const struct iovec *src, unsigned n, size_t skip,
                   size_t len, struct iovec *dst)
{
    unsigned out = 0;
    for (unsigned i = 0; i < n && len > 0; i++) {
        size_t l = src[i].iov_len;
        if (skip >= l) {
            skip -= l;
            continue;
        }
        size_t take = l - skip < len ? l - skip : len;
        dst[out].iov_base = (uint8_t *)src[i].iov_base + skip;
        dst[out].iov_len = take;
        out++;
        len -= take;
        skip = 0;
    }
    return out;
}

size_t iov_copy(const struct iovec *iov, unsigned n, void *buf, size_t len,
                bool into_iov)
{
    uint8_t *p = buf;
    size_t done = 0;
    for (unsigned i = 0; i < n && done < len; i++) {
        size_t take = iov[i].iov_len < len - done ? iov[i].iov_len : len - done;
        if (into_iov)
            memcpy(iov[i].iov_base, p + done, take);
        else
            memcpy(p + done, iov[i].iov_base, take);
        done += take;
    }
    return done;
}

uint8_t *iov_last_byte(const struct iovec *iov, unsigned n)
{
    for (unsigned i = n; i-- > 0;)
        if (iov[i].iov_len > 0)
            return (uint8_t *)iov[i].iov_base + iov[i].iov_len - 1;
    return NULL;
}
