/* budget.h — limits on a run: a wall-clock --timeout (gclab run, gclab
 * script) and an op budget --max-steps (gclab script), each ending the
 * process with an exit status of its own. */
#ifndef GCLAB_BUDGET_H
#define GCLAB_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

#define EXIT_MAX_STEPS 3   /* gclab script: --max-steps ops executed, the script had not ended */
#define EXIT_TIMEOUT 4     /* --timeout seconds of wall time passed first */

/* Parse --timeout's seconds: a decimal in (0, 1e6]; false if it is not one. */
bool budget_parse_seconds(const char *s, double *out);
/* From now on, after seconds of wall time print "<who>: timed out after S s
 * (--timeout)" (plus what, if not NULL) and exit with EXIT_TIMEOUT at once
 * (nothing is written: result files come after budget_disarm()). 0: none. */
void budget_arm_timeout(double seconds, const char *who, const char *what);
/* Stop the timer (before result files are written). */
void budget_disarm(void);

#endif
