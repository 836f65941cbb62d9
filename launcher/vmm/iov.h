/* iov.h: scatter-list helpers for device models (iov.c). */
#ifndef UNIKIT_VMM_IOV_H
#define UNIKIT_VMM_IOV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* Sum of the n lengths. */
size_t iov_total(const struct iovec *iov, unsigned n);
/* Writes into dst the pieces of src covering bytes [skip, skip + len);
 * returns how many (at most n). */
unsigned iov_slice(const struct iovec *src, unsigned n, size_t skip,
                   size_t len, struct iovec *dst);
/* Copies up to len bytes from buf into the list (into_iov) or from the list
 * into buf; returns how many bytes were copied. */
size_t iov_copy(const struct iovec *iov, unsigned n, void *buf, size_t len,
                bool into_iov);
/* The list's last byte, or NULL if it holds none. */
uint8_t *iov_last_byte(const struct iovec *iov, unsigned n);

#endif /* UNIKIT_VMM_IOV_H */
