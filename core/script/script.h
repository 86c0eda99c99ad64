/* script.h — heap scripts: a subset of Python compiled to ops (core/ops.h),
 * and ops printed back as a script. See core/script/README.md for the
 * subset, the error messages and where sys.getrefcount differs from CPython.
 */
#ifndef GCLAB_SCRIPT_H
#define GCLAB_SCRIPT_H

#include <stddef.h>

#include "ops.h"

/* Source nesting (brackets, unary operators, indented blocks) past this is an error. */
#define SCRIPT_MAX_NESTING 100
/* Height of one expression's tree (1+1+1+... needs no brackets to be deep). */
#define SCRIPT_MAX_EXPR_DEPTH 1000

/* A name `_N` with N below this is slot N of its frame (compile.c, "Pinned
 * names"); `_N` past it is an ordinary name. The bound keeps a frame's size
 * linear in the script: `_100000` in a recursive function would otherwise
 * make every frame 100,001 slots (issue 19: 780 MB). */
#define SCRIPT_MAX_PINNED_SLOT 4096

/* Compile a script; NULL with "FILE:LINE:COL: error: WHAT" in err on anything
 * malformed or outside the subset. Nothing is run. */
struct ops_program *script_compile(const char *src, size_t len, const char *file, char *err, size_t errlen);

/* Print a program as a script that compiles back to the same ops (ops_program_equal);
 * malloc'd text, or NULL with a message in err if some op or jump has no spelling
 * or a frame has more than SCRIPT_MAX_PINNED_SLOT slots. */
char *script_print(const struct ops_program *p, char *err, size_t errlen);

#endif
