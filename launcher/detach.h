/* detach.h: `unikit run -d`: hand the run to a background supervisor. */
#ifndef UNIKIT_DETACH_H
#define UNIKIT_DETACH_H

#include "error.h"
#include "instance_run.h"

enum { DETACH_CALLER = 0, DETACH_SUPERVISOR = 1 };

/*
 * Forks the supervisor (double fork, setsid; stdio to the instance's
 * console.log). In the caller: waits until the supervisor's child has
 * started (instance_child_started) or the supervisor ended, prints the name
 * when it started, sets (*status) (0, or UK_EXIT_LAUNCHER) and returns
 * DETACH_CALLER. In the supervisor: returns DETACH_SUPERVISOR, which goes on
 * to run the backend. -1 with (*err) set when nothing could be forked.
 */
int detach_start(struct run_instance *ri, int *status, struct uk_error *err);

#endif /* UNIKIT_DETACH_H */
