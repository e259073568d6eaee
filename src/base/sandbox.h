/* sandbox.h -- least privilege for the service: it drops from root to an unprivileged
 * user once its port is bound, and each synthesis worker, which handles text from anyone
 * with a C library that has crashed on odd input, shuts itself in with a seccomp filter. */
#ifndef LYSSNA_SANDBOX_H
#define LYSSNA_SANDBOX_H

struct err;

/* Becomes user (a name from the password database): its group, no supplementary groups,
 * its uid, for good (getting root back fails). Only root can do this, but naming the user
 * one already is succeeds. LY_EUSAGE for an unknown user, LY_EDENIED otherwise. */
int sandbox_drop_user(const char *user, struct err *e);

/* Confines the calling process for good: no sockets (no network), no new programs, no
 * forks, no files opened for writing, created, renamed or removed, no tracing of other
 * processes. Reading files and writing to descriptors already open still work. */
int sandbox_confine_worker(struct err *e);

#endif
