/* verb_common.h: what the instance verbs (ps, stop, kill, rm, logs, stats, inspect) share. */
#ifndef UNIKIT_VERB_COMMON_H
#define UNIKIT_VERB_COMMON_H

#include <stdbool.h>
#include <stdio.h>

#include "state.h"

/* Exit statuses of the instance verbs (docker's): no such instance, or not in the right state. */
#define VERB_EXIT_NO_SUCH 1
#define VERB_EXIT_LAUNCHER 125

/* True when (arg) asks for help ("-h", "--help"). */
bool verb_is_help(const char *arg);

/*
 * Loads (name) and corrects it for vanished processes (state_refresh).
 * Returns 0, or the exit status after printing why: VERB_EXIT_NO_SUCH with
 * "unikit: VERB: no such instance: NAME", VERB_EXIT_LAUNCHER otherwise.
 */
int verb_load(const char *verb, const char *name, struct instance *inst);

/* Polls (name) until it is no longer active or (timeout_ms) pass; true when it ended. */
bool verb_wait_inactive(const char *name, long timeout_ms);

/*
 * An auto-removed instance (an attached run without --name) whose processes
 * vanished — its launcher was SIGKILLed, so nobody removed it — is removed
 * now (cgroup, hooks, state), as its end would have. True if it was.
 */
bool verb_prune_lost(const struct instance *inst);

/* The process a signal for the instance goes to: its child, else its supervisor. */
pid_t instance_signal_target(const struct instance *inst);

/* "4s", "3m", "2h", "5d" for (ns). */
const char *format_duration(int64_t ns, char *buf, size_t len);

/* "12.3MiB" for (bytes). */
const char *format_bytes(uint64_t bytes, char *buf, size_t len);

/* RFC 3339 UTC with nanoseconds for (ns) since the epoch, "" for 0. */
const char *format_time(int64_t ns, char *buf, size_t len);

/* Reads /sys/class/net/(netif)/statistics/{rx,tx}_bytes; 0s when there is no such interface. */
void netif_bytes(const char *netif, uint64_t *rx, uint64_t *tx);

#endif /* UNIKIT_VERB_COMMON_H */
