/* sys/ioctl.h: ioctl() for unikit guests (FIONBIO and FIONREAD on sockets). */
#ifndef UNIKIT_SYS_IOCTL_H
#define UNIKIT_SYS_IOCTL_H

#include <sys/socket.h>

int ioctl(int fd, unsigned long request, ...);

#endif
