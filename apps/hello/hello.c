/* hello.c: greets, shows argv, environment, time, a float and a malloc'd string, exits with argv[1]. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern char **environ;

int main(int argc, char **argv)
{
    printf("Hello from unikit\n");
    for (int i = 0; i < argc; i++)
        printf("argv[%d] = \"%s\"\n", i, argv[i]);
    for (char **e = environ; e && *e; e++)
        printf("env: %s\n", *e);

    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    printf("time: %s\n", when);

    printf("sqrt(2) = %.6f\n", sqrt(2.0));

    const char *greeting = "a string from malloc";
    char *copy = malloc(strlen(greeting) + 1);
    if (!copy) {
        fprintf(stderr, "hello: malloc failed\n");
        return 1;
    }
    strcpy(copy, greeting);
    printf("malloc: %s\n", copy);
    free(copy);

    int status = argc > 1 ? atoi(argv[1]) : 0;
    printf("exiting with status %d\n", status);
    return status;
}
