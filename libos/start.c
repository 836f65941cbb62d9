/* start.c: the libos' entry — environment, stdio buffering, main(), exit. */
#include <stdio.h>
#include <stdlib.h>

#include "libos.h"

extern char **environ;
int main(int argc, char **argv, char **envp);

/*
 * Weak: the file system comes in only with open() and friends (files.c),
 * lwIP only when the application uses sockets (socket.c pulls net_init in).
 */
void files_init(void) __attribute__((weak));
void net_init(void) __attribute__((weak));

void uk_app_main(int argc, char **argv, char **envp)
{
    environ = envp;
    console_fd_init();
    /* stdout is line-buffered (newlib sees a tty), stderr unbuffered. */
    setvbuf(stdout, NULL, _IOLBF, BUFSIZ);
    setvbuf(stderr, NULL, _IONBF, 0);
    if (files_init)
        files_init();
    if (net_init)
        net_init();
    exit(main(argc, argv, envp));
}
