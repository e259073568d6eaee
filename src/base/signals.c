/* signals.c -- the one SIGINT/SIGTERM handler the commands share: it only records the
 * signal, in a flag the command polls; the command does the stopping. */
#include "signals.h"

#include <stddef.h>

#include "banned.h"

static volatile sig_atomic_t *volatile stop_flag;

static void on_stop(int sig)
{
    if (stop_flag)
        *stop_flag = sig;
}

void signals_catch_stop(volatile sig_atomic_t *flag)
{
    struct sigaction sa = {.sa_handler = on_stop};

    stop_flag = flag;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}
