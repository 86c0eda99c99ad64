/* cli.h — the subcommands of `gclab`, one file each. */
#ifndef GCLAB_CLI_H
#define GCLAB_CLI_H

#include <stdbool.h>

#include "gclab.h"
#include "workload.h"

/* Whether -h or --help is among the arguments. */
bool cli_wants_help(int argc, char **argv);
/* gclab run. */
int cmd_run(int argc, char **argv);
/* gclab script. */
int cmd_script(int argc, char **argv);
/* gclab fuzz-print. */
int cmd_fuzz_print(int argc, char **argv);
/* Write text to path atomically by bench/outfile.c's rule; 0 or -1 with a message on stderr. */
int cli_write_atomic(const char *path, const char *text);

#endif
