/* signals.h -- stopping a command cleanly on Ctrl-C or a service manager's SIGTERM. */
#ifndef LYSSNA_SIGNALS_H
#define LYSSNA_SIGNALS_H

#include <signal.h>

/* From now on SIGINT and SIGTERM set *flag to the signal's number instead of ending the
 * process, so the caller can stop between steps and remove what it left half-made; SIGPIPE
 * is ignored, so a reader gone away is a write error rather than sudden death. One flag per
 * process: a second call replaces the first's. */
void signals_catch_stop(volatile sig_atomic_t *flag);

#endif
