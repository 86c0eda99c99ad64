/* registry.c — the one place an engine name becomes an engine. Add a new
 * engine here with one line; nogc stays first, as the template. */
#include <string.h>

#include "engine.h"

extern const struct gclab_engine gclab_engine_nogc;
extern const struct gclab_engine gclab_engine_rc;
extern const struct gclab_engine gclab_engine_rcgen;
extern const struct gclab_engine gclab_engine_marksweep;
extern const struct gclab_engine gclab_engine_bdw;
extern const struct gclab_engine gclab_engine_rcinc;
extern const struct gclab_engine gclab_engine_incms;
extern const struct gclab_engine gclab_engine_genms;
extern const struct gclab_engine gclab_engine_rcbr;

static const struct gclab_engine *const engines[] = {
    &gclab_engine_nogc,
    &gclab_engine_rc,
    &gclab_engine_rcgen,
    &gclab_engine_marksweep,
    &gclab_engine_incms,
    &gclab_engine_genms,
    &gclab_engine_bdw,
    &gclab_engine_rcinc,
    &gclab_engine_rcbr,
};

const struct gclab_engine *gclab_engine_at(int i)
{
    if (i < 0 || (size_t)i >= sizeof engines / sizeof engines[0])
        return NULL;
    return engines[i];
}

const struct gclab_engine *gclab_engine_find(const char *name)
{
    for (size_t i = 0; i < sizeof engines / sizeof engines[0]; i++)
        if (strcmp(engines[i]->name, name) == 0)
            return engines[i];
    return NULL;
}
