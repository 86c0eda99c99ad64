/* main.c — the `gclab` command: a table of subcommands, each with --help.
 * Exit codes: 0 success, 1 the run failed (a workload error, a failed
 * assert), 2 bad usage or input (nothing was run). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "record.h"

/* {"name", "default", "help", "type": "int"|"real"|"word", "min", "max"} or "words": [...]. */
static json_t *param_json(const struct gclab_param_spec *p)
{
    static const char *const types[] = { [GCLAB_PARAM_INT] = "int", [GCLAB_PARAM_REAL] = "real",
                                         [GCLAB_PARAM_WORD] = "word" };
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", p->name, "default", p->dflt, "help",
                          p->help ? p->help : "", "type", types[p->type]);
    if (p->type == GCLAB_PARAM_WORD) {
        json_t *ws = json_array();
        for (const char *w = p->words; w && *w;) {
            const char *bar = strchr(w, '|');
            size_t n = bar ? (size_t)(bar - w) : strlen(w);
            json_array_append_new(ws, json_stringn(w, n));
            w = bar ? bar + 1 : w + n;
        }
        json_object_set_new(o, "words", ws);
    } else if (p->type == GCLAB_PARAM_INT) {
        json_object_set_new(o, "min", json_integer((json_int_t)p->min));
        json_object_set_new(o, "max", json_integer((json_int_t)p->max));
    } else {
        json_object_set_new(o, "min", json_real(p->min));
        json_object_set_new(o, "max", json_real(p->max));
    }
    return o;
}

static int cmd_engines(int argc, char **argv);
static int cmd_workloads(int argc, char **argv);
static int cmd_machine(int argc, char **argv);

static const struct command {
    const char *name, *usage, *summary;
    int (*fn)(int argc, char **argv);
} commands[] = {
    { "engines", "gclab engines [--caps|--mutants|--json]", "list the collector engines", cmd_engines },
    { "workloads", "gclab workloads [--json]", "list the workloads with their parameters", cmd_workloads },
    { "machine", "gclab machine", "print this machine's description as JSON (the record's \"machine\")",
      cmd_machine },
    { "run", "gclab run -e ENGINE -w WORKLOAD [-p KEY=VALUE]... [--seed N] [--json] [options]",
      "run one workload once on one engine and report the run record", cmd_run },
    { "script", "gclab script FILE [-e ENGINE] [-p KEY=VALUE]... [--json]",
      "run a heap script (a Python subset that also runs under python3)", cmd_script },
    { "fuzz-print", "gclab fuzz-print FILE [--ops]",
      "print a fuzz input as the heap script it decodes to (--ops: as an op listing)", cmd_fuzz_print },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "gclab %s — a benchmarking and fuzzing harness for garbage collectors\n\n"
               "usage: gclab COMMAND [ARGS]   (gclab COMMAND --help for details)\n\n",
            GCLAB_VERSION);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    return false;
}

/* Print a JSON value on one line of stdout and free it; 0, or 1 if it could not be printed. */
static int print_json(json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    if (!text)
        return 1;
    puts(text);
    free(text);
    return 0;
}

static int cmd_engines(int argc, char **argv)
{
    const char *name, *summary;
    bool caps = false, json = false;
    if (cli_wants_help(argc, argv)) {
        printf("usage: gclab engines [--caps|--mutants|--json]\n\nOne line per engine: its name and what it is.\n"
               "With --caps: its name and its facts instead (core/gclab.h, struct\n"
               "gclab_engine_caps), as key=value words for scripts: refcounts,\n"
               "collects_cycles, generations, precise, finalizers, incremental (1 = yes),\n"
               "frees=never|prompt|late, weakref_callbacks=none|cpython|any,\n"
               "callback_kept, freeze, debug_saveall (1 = yes), header_words=N.\n"
               "With --mutants: one line per planted bug (core/mutant.h), engine/name and\n"
               "what it does; GCLAB_MUTANT=engine/name selects one in a fuzz build.\n"
               "With --json: one JSON array of {\"name\", \"summary\", \"caps\": {...}} (for\n"
               "scripts/matrix.py; the caps are those of --caps, as JSON values).\n");
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "--caps") == 0) {
        caps = true;
    } else if (argc == 2 && strcmp(argv[1], "--mutants") == 0) {
        for (int i = 0; gclab_engine_info(i, &name, &summary); i++) {
            const char *m, *what;
            for (int k = 0; (m = gclab_engine_mutant(name, k, &what)); k++)
                printf("%s/%s\t%s\n", name, m, what);
        }
        return 0;
    } else if (argc == 2 && strcmp(argv[1], "--json") == 0) {
        json = true;
    } else if (argc > 1) {
        fprintf(stderr, "gclab engines: unexpected argument '%s'\n", argv[1]);
        return 2;
    }
    json_t *all = json ? json_array() : NULL;
    for (int i = 0; gclab_engine_info(i, &name, &summary); i++) {
        if (!caps && !json) {
            printf("%-10s %s\n", name, summary);
            continue;
        }
        const struct gclab_engine_caps *f = gclab_engine_facts(name);
        if (json) {
            json_t *c = json_pack("{s:b, s:b, s:i, s:b, s:b, s:b, s:s, s:s, s:b, s:b, s:b, s:i}",
                                  "refcounts", f->refcounts, "collects_cycles", f->collects_cycles,
                                  "generations", f->generations, "precise", f->precise,
                                  "finalizers", f->finalizers, "incremental", f->incremental,
                                  "frees", gclab_frees_name(f->frees),
                                  "weakref_callbacks", gclab_weakref_callbacks_name(f->weakref_callbacks),
                                  "callback_kept", f->callback_kept, "freeze", f->freeze,
                                  "debug_saveall", f->debug_saveall, "header_words", f->header_words);
            json_t *ps = json_array();
            const struct gclab_param_spec *p;
            for (int k = 0; (p = gclab_engine_param_at(name, k)); k++)
                json_array_append_new(ps, param_json(p));
            json_array_append_new(all, json_pack("{s:s, s:s, s:o, s:o}", "name", name, "summary", summary, "caps", c,
                                                 "params", ps));
        } else {
            printf("%s refcounts=%d collects_cycles=%d generations=%d precise=%d finalizers=%d incremental=%d "
                   "frees=%s weakref_callbacks=%s callback_kept=%d freeze=%d debug_saveall=%d header_words=%d\n",
                   name, f->refcounts, f->collects_cycles, f->generations, f->precise, f->finalizers,
                   f->incremental, gclab_frees_name(f->frees), gclab_weakref_callbacks_name(f->weakref_callbacks),
                   f->callback_kept, f->freeze, f->debug_saveall, f->header_words);
        }
    }
    return json ? print_json(all) : 0;
}

static int cmd_workloads(int argc, char **argv)
{
    bool json = false;
    if (cli_wants_help(argc, argv)) {
        printf("usage: gclab workloads [--json]\n\nTwo lines per workload: name and summary, then its parameters=defaults.\n"
               "With --json: one JSON array of {\"name\", \"summary\", \"params\": [{\"name\",\n"
               "\"default\", \"help\"}, ...]} (for scripts/matrix.py).\n");
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "--json") == 0) {
        json = true;
    } else if (argc > 1) {
        fprintf(stderr, "gclab workloads: unexpected argument '%s'\n", argv[1]);
        return 2;
    }
    const struct workload *w;
    json_t *all = json ? json_array() : NULL;
    for (int i = 0; (w = workload_at(i)); i++) {
        if (json) {
            json_t *ps = json_array();
            for (const struct gclab_param_spec *p = w->params; p->name; p++)
                json_array_append_new(ps, param_json(p));
            json_array_append_new(all, json_pack("{s:s, s:s, s:o}", "name", w->name, "summary", w->summary,
                                                 "params", ps));
            continue;
        }
        char params[512] = "";
        size_t n = 0;
        for (const struct gclab_param_spec *p = w->params; p->name && n < sizeof params; p++)
            n += (size_t)snprintf(params + n, sizeof params - n, "%s%s=%s", n ? " " : "", p->name, p->dflt);
        /* Parameter lists outgrow a column: they get a line of their own. */
        printf("%-14s %s\n%-14s %s\n", w->name, w->summary, "", params);
    }
    return json ? print_json(all) : 0;
}

static int cmd_machine(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: gclab machine\n\nThis machine's description, the \"machine\" object of every run record\n"
               "(cpu, cores, os, host), as one line of JSON. scripts/matrix.py puts it in the\n"
               "records of runs that failed before gclab could write one.\n");
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "gclab machine: unexpected argument '%s'\n", argv[1]);
        return 2;
    }
    return print_json(record_machine());
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("gclab %s (commit %s)\n", GCLAB_VERSION, record_commit());
        return 0;
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "gclab: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
