/* start.c: the libos' entry — environment, stdio buffering, main(), exit. */
#include <stdio.h>
#include <stdlib.h>

#include "libos.h"

extern char **environ;
int main(int argc, char **argv, char **envp);

void uk_app_main(int argc, char **argv, char **envp)
{
    environ = envp;
    console_fd_init();
    /* stdout is line-buffered (newlib sees a tty), stderr unbuffered. */
    setvbuf(stdout, NULL, _IOLBF, BUFSIZ);
    setvbuf(stderr, NULL, _IONBF, 0);
    files_init();
    net_init();
    exit(main(argc, argv, envp));
}
