/* repr.h — str() and repr() of heap values as CPython 3.11 spells them,
 * into a growable text buffer: what print(), str(), repr(), f-strings and
 * `%` formatting of heap scripts share (core/ops.c calls it).
 *
 * Nested containers are walked with an explicit stack of shadow-stack
 * frames: no C recursion on heap depth; the only allocation is CPython's
 * own, Py_ReprEnter's state made once where the interpreter is modelled
 * (repr.c repr_enter_state). A container inside itself prints as [...], {...} or
 * (...) (CPython's Py_ReprEnter); nesting deeper than the heap's frame
 * limit is a RecursionError, as CPython's repr of a too-deep list is.
 */
#ifndef GCLAB_REPR_H
#define GCLAB_REPR_H

#include <stdbool.h>
#include <stddef.h>

#include "gclab.h"

/* Text being built; zero-initialize, free s when done. */
struct repr_buf { char *s; size_t len, cap; };

/* Append n bytes; false on out of memory. */
bool repr_put(struct repr_buf *b, const char *s, size_t n);

/* Append str(x) (as_str: a str prints as its text) or repr(x) of the object in slot.
 * GCLAB_EMEMORY (out of memory) or GCLAB_ERECURSION (too deep) on failure. */
gclab_status repr_append(gclab_heap *h, struct repr_buf *b, int slot, bool as_str);

#endif
