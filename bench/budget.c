/* budget.c — the wall-clock limit of `gclab run --timeout S` and `gclab
 * script --timeout S`.
 *
 * A C workload runs no ops a counter could stop, and a script may sit in
 * one long operation (a collection of a huge heap), so the limit is a timer:
 * ITIMER_REAL raises SIGALRM after S seconds, and the handler writes its
 * message with write(2) and leaves with _exit(EXIT_TIMEOUT) — both
 * async-signal-safe. Nothing is half-written: result files are written by
 * temp file and rename (bench/outfile.c) only after budget_disarm().
 * (--max-steps, an op count, lives in cmd_script.c's step hook.)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "budget.h"

static char message[512];
static size_t message_len;

static void on_alarm(int sig)
{
    (void)sig;
    ssize_t w = write(STDERR_FILENO, message, message_len);
    (void)w;
    _exit(EXIT_TIMEOUT);
}

bool budget_parse_seconds(const char *s, double *out)
{
    char *end;
    if (!s || !*s || *s == ' ' || *s == '+' || *s == '-')
        return false;
    double v = strtod(s, &end);
    if (*end || !(v > 0) || v > 1e6)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' || *p == '-' || *p == '+'))
            return false;
    *out = v;
    return true;
}

void budget_arm_timeout(double seconds, const char *who, const char *what)
{
    if (!(seconds > 0))
        return;
    message_len = (size_t)snprintf(message, sizeof message, "%s: timed out after %g s (--timeout)%s%s\n", who,
                                   seconds, what ? ": " : "", what ? what : "");
    if (message_len >= sizeof message)
        message_len = sizeof message - 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { 0, 0 }, { (time_t)seconds, (suseconds_t)((seconds - (double)(time_t)seconds) * 1e6) } };
    if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0)
        it.it_value.tv_usec = 1;
    setitimer(ITIMER_REAL, &it, NULL);
}

void budget_disarm(void)
{
    struct itimerval it = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &it, NULL);
}
