/* cmd.h -- the subcommands main.c dispatches to; each parses its options and calls the pipeline. */
#ifndef LYSSNA_CMD_H
#define LYSSNA_CMD_H

int cmd_speak(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_normalize(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_lexicon(int argc, char **argv);

/* Prints "lyssna: MSG" on stderr for a failure and returns its exit code. */
struct err;
int cmd_fail(const struct err *e);
/* This program's path (/proc/self/exe), for the workers it starts; NULL when unknown. */
const char *cmd_exe(void);

#endif
