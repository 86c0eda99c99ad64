/* mutant.h — planted bugs ("mutants") that the fuzzers must find.
 *
 * A mutant is a known-wrong path through an engine, kept in the engine's own
 * file beside the code it breaks, so the fuzzers' power can be measured on the
 * collector as it is today (scripts/fuzz-mutants.sh). An engine declares each
 * one as a static struct and lists it in its table:
 *
 *     static const struct gclab_mutant rc_mut_skip_decref = {
 *         "skip-decref", "a dying object does not release its list children" };
 *     static const struct gclab_mutant *const rc_mutants[] = { &rc_mut_skip_decref, NULL };
 *     ... .mutants = rc_mutants, ...
 *
 * and at the bug's site takes the wrong path when it is selected:
 *
 *     if (GCLAB_MUTANT(rc_mut_skip_decref) && child->kind == GCLAB_K_LIST)
 *         return;                              // the planted bug
 *
 * In a normal build GCLAB_MUTANT(m) is the constant 0: the compiler drops the
 * wrong path and nothing is paid. In a build with -DGCLAB_MUTANTS (the fuzz
 * builds: build/fuzz/libfuzzer, build/fuzz/afl) it is true only for the one
 * mutant named at run time by the environment, GCLAB_MUTANT=engine/name
 * (read once at start-up, core/mutant.c: an unknown engine or mutant is an
 * error, exit 2). So one fuzz build serves every mutant. The comparison is
 * by address, so a mutant only ever fires in the file that declared it; a
 * mutant planted in a layer several engines share (core/refcount.c) fires on
 * every engine using it, and is listed by the engine it is meant for.
 *
 * Names are short kebab-case words (skip-decref, fin-twice); `what` says in
 * one line what the bug does. `gclab engines --mutants` and
 * `scripts/fuzz-mutants.sh --list` print every (engine, mutant) pair.
 */
#ifndef GCLAB_MUTANT_H
#define GCLAB_MUTANT_H

struct gclab_mutant {
    const char *name;      /* engine-unique, kebab-case */
    const char *what;      /* the bug, in one line */
};

#ifdef GCLAB_MUTANTS
/* The selected mutant (GCLAB_MUTANT=engine/name), or NULL. */
extern const struct gclab_mutant *gclab_mutant_selected;
#define GCLAB_MUTANT(m) __builtin_expect(gclab_mutant_selected == &(m), 0)
#else
#define GCLAB_MUTANT(m) ((void)&(m), 0)
#endif

#endif
