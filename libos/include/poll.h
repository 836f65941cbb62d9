/* poll.h: poll() over every kind of libos descriptor (sockets, console, files). */
#ifndef UNIKIT_POLL_H
#define UNIKIT_POLL_H

#include <sys/socket.h>

int poll(struct pollfd *fds, nfds_t nfds, int timeout_ms);

#endif
