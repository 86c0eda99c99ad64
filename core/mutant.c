/* mutant.c — listing the engines' planted bugs, and selecting one at run
 * time in a mutant build (core/mutant.h says what a mutant is). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "mutant.h"

const char *gclab_engine_mutant(const char *engine, int i, const char **what)
{
    const struct gclab_engine *e = gclab_engine_find(engine);
    if (!e || !e->mutants || i < 0)
        return NULL;
    for (int k = 0; e->mutants[k]; k++)
        if (k == i) {
            if (what)
                *what = e->mutants[k]->what;
            return e->mutants[k]->name;
        }
    return NULL;
}

bool gclab_mutants_built(void)
{
#ifdef GCLAB_MUTANTS
    return true;
#else
    return false;
#endif
}

#ifdef GCLAB_MUTANTS
const struct gclab_mutant *gclab_mutant_selected;

/* GCLAB_MUTANT=engine/name, read before main so that every heap of the run
 * sees the same choice. A name that selects nothing is a usage error: a
 * mutant run that silently tests the unmutated engine would report "not
 * found" for a bug that was never planted. */
__attribute__((constructor)) static void mutant_select_from_env(void)
{
    const char *v = getenv("GCLAB_MUTANT");
    if (!v || !*v)
        return;
    const char *slash = strchr(v, '/');
    char engine[64];
    size_t n = slash ? (size_t)(slash - v) : 0;
    if (!slash || n == 0 || n >= sizeof engine || !slash[1]) {
        fprintf(stderr, "gclab: GCLAB_MUTANT=%s: expected engine/name (gclab engines --mutants lists them)\n", v);
        exit(2);
    }
    memcpy(engine, v, n);
    engine[n] = '\0';
    const struct gclab_engine *e = gclab_engine_find(engine);
    if (!e) {
        fprintf(stderr, "gclab: GCLAB_MUTANT=%s: no engine '%s'\n", v, engine);
        exit(2);
    }
    for (int k = 0; e->mutants && e->mutants[k]; k++)
        if (strcmp(e->mutants[k]->name, slash + 1) == 0) {
            gclab_mutant_selected = e->mutants[k];
            return;
        }
    fprintf(stderr, "gclab: GCLAB_MUTANT=%s: engine %s has no mutant '%s'\n", v, engine, slash + 1);
    exit(2);
}
#endif
