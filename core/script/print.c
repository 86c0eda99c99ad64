/* print.c — placeholder, replaced below */
#include "script.h"
#include <stdio.h>
#include <stdlib.h>
char *script_print(const struct ops_program *p, char *err, size_t errlen)
{
    (void)p;
    snprintf(err, errlen, "not yet");
    return NULL;
}
