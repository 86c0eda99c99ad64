#!/usr/bin/env python3
"""fuzz-seeds.py — writes the handcrafted seed inputs of fuzz/corpus/ops_target
and fuzz/corpus/diff_target (hand-written op programs encoded in the fuzz
input format of fuzz/fz.h), one file per program and engine byte.

    python3 scripts/fuzz-seeds.py            # (re)writes fuzz/corpus/*/seed-*

Each program is a list of (OPNAME, operands...) in the order of core/ops.h's
operand kinds; the encoder turns each operand back into the byte the decoder
reduces: S slot, O slot or -1, R/N first and count, I value, T literal 0..3
('' 'x' 'hello' 'x\\0y'), Y name index within its group (globals g0..g3,
attributes a b c, class names C D), F helper (1 rec, 2 init, 3 ident, 4 pair,
5 cyc), J op index in main.
"""
import os
import re
import struct
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OPS = re.findall(r'X\((\w+),\s*"([^"]{4})"', open(os.path.join(ROOT, "core/ops.h")).read())
CODE = {name: i for i, (name, _) in enumerate(OPS)}
KINDS = dict(OPS)


def encode_int(v):
    if -16 <= v < 208:
        return bytes([v + 16])
    if 248 <= v < 264:
        return bytes([224 + v - 248])
    return bytes([240]) + struct.pack("<q", v)


def encode(prog, engine, knobs=0, alloc="malloc", pairs=()):
    """knobs: byte 1's zeal and check-every bits; alloc: "pool" or "malloc";
    pairs: (knob index, value byte) pairs (fz.h: index i = the engine's i-th
    param, 7 = verify; value 0 default, 1..8: 0 1 2 3 4 8 16 100, ...)."""
    assert len(pairs) <= 3
    out = bytearray([engine, knobs | (0x30 if alloc == "malloc" else 0) | len(pairs) << 6])
    for index, value in pairs:
        out += bytes([index, value])
    for op in prog:
        name, args = op[0], list(op[1:])
        out.append(CODE[name])
        kinds = KINDS[name]
        i = 0
        for k in kinds:
            if k == "-" or k == "N":
                continue
            if k == "I" and name == "INT":
                out += encode_int(args[i])
                i += 1
                break
            v = args[i]
            i += 1
            if k == "O":
                out.append(v + 1)
            elif k == "R":
                out += bytes([v, args[i]])
                i += 1
            elif k == "F":
                out.append(v - 1)
            else:
                out.append(v)
        if name == "GC_SET_DEBUG":
            out.append(0)
    return bytes(out)


REC, INIT, IDENT, PAIR, CYC, RES, MKCYC, MKWR, CBAL = 1, 2, 3, 4, 5, 6, 7, 8, 9
PROGRAMS = {
    # generations: a list survives gc.collect(0) (to generation 1), then gc.collect(1)
    # (to 2); a tuple holding a list (never untracked) and a dict beside it
    "generations": [("INT", 9, 0), ("INT", 10, 1), ("LIST", 0), ("DICT", 1), ("TUPLE", 2, 0, 2), ("GC_COLLECT", -1, 9),
                    ("LIST", 3), ("GC_COLLECT", -1, 10), ("APPEND", 0, 3), ("GC_COLLECT", -1, 9), ("GC_COLLECT", -1, 10),
                    ("LIST", 4), ("GC_COLLECT", -1, 10), ("GC_COLLECT", -1, -1), ("GC_COLLECT", -1, 10)],
    # a weakref with a callback held by its own target, dropped together: trash, so a
    # full collection clears it without calling the callback; beside it a reachable one
    "wr_trash": [("FUNC", 0, REC), ("CLASS", 1, 0, -1, -1), ("INSTANCE", 2, 1), ("WEAKREF", 3, 2, 0),
                 ("SETATTR", 2, 0, 3), ("SETATTR", 2, 1, 2), ("INSTANCE", 4, 1), ("SETATTR", 4, 0, 4),
                 ("WEAKREF", 5, 4, 0), ("CLEAR", 2), ("CLEAR", 3), ("CLEAR", 4), ("GC_COLLECT", -1, -1),
                 ("CALL", 6, 5, 0, 0)],
    # a resurrecting __del__ (res: r.append(self)): an acyclic instance holding a list,
    # and a self-cycle with a weakref (callback rec), both dropped and collected
    "resurrect": [("FUNC", 0, RES), ("CLASS", 1, 0, -1, 0), ("INSTANCE", 2, 1), ("LIST", 3), ("SETATTR", 2, 0, 3),
                  ("WEAKREF", 4, 2, -1), ("CLEAR", 2), ("CLEAR", 3), ("GC_COLLECT", -1, -1), ("CALL", 5, 4, 0, 0),
                  ("CLEAR", 5), ("FUNC", 8, REC), ("INSTANCE", 6, 1), ("SETATTR", 6, 1, 6), ("WEAKREF", 7, 6, 8),
                  ("CLEAR", 6), ("GC_COLLECT", -1, -1), ("CALL", 9, 7, 0, 0), ("GC_COLLECT", -1, -1),
                  ("INSTANCE", 10, 1), ("CALL", 11, 0, 10, 1), ("CLEAR", 10), ("GC_COLLECT", -1, -1)],
    # a cycle-making __del__ (mkcyc: self.c = [self]): refcounting leaves the new
    # cycle to the collector; a direct call on a live instance
    "del_mkcyc": [("FUNC", 0, MKCYC), ("CLASS", 1, 0, -1, 0), ("INSTANCE", 2, 1), ("WEAKREF", 4, 2, -1),
                  ("CLEAR", 2), ("GC_COLLECT", -1, -1), ("CALL", 5, 4, 0, 0), ("INSTANCE", 3, 1), ("SETATTR", 3, 0, 3),
                  ("CLEAR", 3), ("GC_COLLECT", -1, -1), ("GC_COLLECT", -1, -1), ("INSTANCE", 6, 1),
                  ("CALL", 7, 0, 6, 1), ("GETATTR", 8, 6, 2), ("CLEAR", 6), ("CLEAR", 8), ("GC_COLLECT", -1, -1)],
    # a __del__ that makes a weakref to its object (mkwr: w.append(weakref.ref(self, fin)))
    "del_mkwr": [("FUNC", 0, MKWR), ("CLASS", 1, 1, -1, 0), ("INSTANCE", 2, 1), ("SETATTR", 2, 0, 2), ("CLEAR", 2),
                 ("GC_COLLECT", -1, -1), ("GC_COLLECT", -1, -1), ("INSTANCE", 3, 1), ("CLEAR", 3),
                 ("GC_COLLECT", -1, -1), ("INSTANCE", 4, 1), ("CALL", 5, 0, 4, 1), ("CLEAR", 4), ("GC_COLLECT", -1, -1)],
    # a weakref callback that allocates (cbal: k.append([wr])), by refcount and by the
    # collector; called directly on a weakref, on cyc and on a class
    "cb_alloc": [("FUNC", 0, CBAL), ("CLASS", 1, 0, -1, -1), ("INSTANCE", 2, 1), ("WEAKREF", 3, 2, 0), ("CLEAR", 2),
                 ("GC_COLLECT", -1, -1), ("INSTANCE", 4, 1), ("SETATTR", 4, 0, 4), ("WEAKREF", 5, 4, 0), ("CLEAR", 4),
                 ("GC_COLLECT", -1, -1), ("CALL", 6, 0, 3, 1), ("FUNC", 7, CYC), ("CALL", 8, 0, 7, 1),
                 ("CALL", 9, 0, 1, 1), ("GC_COLLECT", -1, -1)],
    # a dropped two-list cycle, then a full collection
    "cycle": [("LIST", 0), ("LIST", 1), ("APPEND", 0, 1), ("APPEND", 1, 0), ("CLEAR", 0), ("CLEAR", 1),
              ("GC_COLLECT", 2, -1)],
    # instances with __del__ (rec) in a cycle, a weakref with a callback, read after a collection
    "del_cycle": [("FUNC", 0, REC), ("CLASS", 1, 0, -1, 0), ("INSTANCE", 2, 1), ("INSTANCE", 3, 1),
                  ("SETATTR", 2, 0, 3), ("SETATTR", 3, 0, 2), ("WEAKREF", 4, 2, 0), ("WEAKREF", 5, 3, -1),
                  ("CLEAR", 2), ("CLEAR", 3), ("CALL", 6, 5, 0, 0), ("CLEAR", 6), ("GC_COLLECT", 7, -1),
                  ("CALL", 8, 4, 0, 0), ("CALL", 9, 5, 0, 0)],
    # __del__ on an acyclic instance: rc runs it at once
    "del_acyclic": [("FUNC", 0, REC), ("CLASS", 1, 1, -1, 0), ("INSTANCE", 2, 1), ("WEAKREF", 3, 2, 0),
                    ("LIST", 4), ("APPEND", 4, 2), ("CLEAR", 2), ("POP", 5, 4, -1), ("CLEAR", 5),
                    ("CALL", 6, 3, 0, 0), ("GC_COLLECT", -1, -1), ("CALL", 6, 3, 0, 0)],
    # dicts: set, overwrite, get, pop into the key's slot, delete, iteration order by printing
    "dict": [("DICT", 0), ("STR", 1, 1), ("INT", 2, 300), ("SETITEM", 0, 1, 2), ("STR", 3, 2),
             ("LIST", 4), ("SETITEM", 0, 3, 4), ("INT", 5, 7), ("SETITEM", 0, 5, 0), ("GETITEM", 6, 0, 1),
             ("DICT_GET", 7, 0, 3, -1), ("DICT_GET", 8, 0, 2, 5), ("POP", 1, 0, 1), ("DELITEM", 0, 3),
             ("SETITEM", 0, 3, 2), ("PRINT", 0, 1), ("LEN", 9, 0), ("CLEAR", 0), ("GC_COLLECT", -1, -1)],
    # globals hold objects across a collection
    "globals": [("LIST", 0), ("LIST", 1), ("APPEND", 0, 1), ("GLOBAL_SET", 0, 0), ("GLOBAL_SET", 1, 1),
                ("CLEAR", 0), ("CLEAR", 1), ("GC_COLLECT", -1, -1), ("GLOBAL_GET", 2, 0), ("GLOBAL_DEL", 0),
                ("GC_COLLECT", -1, -1), ("GLOBAL_GET", 3, 1), ("GLOBAL_DEL", 1), ("GLOBAL_GET", 4, 2)],
    # a list under a dict under a dict in a global, across a collection: only the
    # global reaches them (an engine that skips one dict's fields loses the list)
    "nested": [("DICT", 0), ("DICT", 1), ("LIST", 2), ("INT", 3, 1), ("APPEND", 2, 3), ("STR", 4, 1),
               ("SETITEM", 1, 4, 2), ("SETITEM", 0, 4, 1), ("GLOBAL_SET", 0, 0), ("CLEAR", 0), ("CLEAR", 1),
               ("CLEAR", 2), ("GC_COLLECT", -1, -1), ("GLOBAL_GET", 5, 0), ("GETITEM", 6, 5, 4),
               ("GETITEM", 7, 6, 4), ("LEN", 8, 7)],
    # calls: pair() allocates with its arguments only in its frame; cyc() returns a self-cycle
    "calls": [("FUNC", 0, PAIR), ("INT", 1, 5), ("INT", 2, 500), ("CALL", 3, 0, 1, 2), ("FUNC", 4, CYC),
              ("CALL", 5, 4, 0, 0), ("CLEAR", 5), ("FUNC", 6, IDENT), ("CALL", 7, 6, 3, 1),
              ("CALL", 8, 0, 7, 2), ("GC_COLLECT", -1, -1), ("CALL", 9, 0, 8, 2), ("FUNC", 10, REC),
              ("CALL", 11, 10, 9, 1)],
    # a class with __init__, called; attributes set, read, deleted
    "class_init": [("FUNC", 0, INIT), ("FUNC", 5, REC), ("CLASS", 1, 0, 0, 5), ("INT", 2, 1000),
                   ("CALL", 3, 1, 2, 1), ("GETATTR", 4, 3, 0), ("SETATTR", 3, 1, 3), ("SETATTR", 3, 2, 1),
                   ("DELATTR", 3, 0), ("CLEAR", 3), ("GC_COLLECT", -1, -1), ("GETATTR", 6, 4, 0)],
    # a for loop appending to a list, and arithmetic
    "loop": [("INT", 0, 0), ("INT", 1, 40), ("INT", 2, 1), ("LIST", 4),
             ("FOR_RANGE", 3, 0, 8), ("MUL", 5, 3, 3), ("APPEND", 4, 5), ("JUMP", 4),
             ("LEN", 6, 4), ("ADD", 7, 6, 6), ("FLOORDIV", 8, 7, 1), ("MOD", 9, 7, 6), ("SUB", 10, 9, 8),
             ("NEG", 11, 10), ("CLEAR", 4), ("GC_COLLECT", -1, -1)],
    # strings, tuples, blobs and comparisons
    "scalars": [("STR", 0, 1), ("STR", 1, 2), ("ADD", 2, 0, 1), ("STR", 3, 3), ("TUPLE", 4, 0, 4),
                ("BLOB", 5, 40), ("LT", 6, 0, 1), ("EQ", 7, 2, 2), ("IS", 8, 0, 0), ("IS_NOT", 9, 2, 3),
                ("NOT", 10, 5), ("TUPLE", 11, 0, 0), ("GETITEM", 6, 4, 11), ("PRINT", 0, 6), ("ID", 6, 4),
                ("BOOL", 7, 1), ("NONE", 8), ("GE", 9, 1, 0), ("LE", 10, 7, 7), ("GT", 11, 7, 7), ("NE", 6, 0, 3)],
    # the gc module's queries and switches, and a gc callback
    "gc_queries": [("GC_GET_STATS", 0), ("GC_GET_COUNT", 1), ("GC_GET_THRESHOLD", 2), ("GC_GET_OBJECTS", 3, -1),
                   ("GC_GARBAGE", 4), ("GC_CALLBACKS", 5), ("FUNC", 6, PAIR), ("APPEND", 5, 6),
                   ("GC_DISABLE",), ("GC_ISENABLED", 7), ("GC_ENABLE",), ("INT", 8, 100), ("INT", 9, 5),
                   ("INT", 10, 5), ("GC_SET_THRESHOLD", 8, 3), ("GC_FREEZE",), ("GC_GET_FREEZE_COUNT", 11),
                   ("GC_UNFREEZE",), ("GC_SET_DEBUG", 7), ("LIST", 3), ("APPEND", 3, 3), ("CLEAR", 3),
                   ("GC_COLLECT", 3, -1), ("POP", -1, 5, -1), ("GC_COLLECT", -1, -1), ("REFCOUNT", 7, 2)],
    # a weakref read after its referent (no __del__, in a cycle) was dropped and collected twice
    "weak_after_gc": [("CLASS", 0, 0, -1, -1), ("INSTANCE", 1, 0), ("SETATTR", 1, 0, 1), ("WEAKREF", 2, 1, -1),
                      ("CLEAR", 1), ("GC_COLLECT", -1, -1), ("INSTANCE", 3, 0), ("GC_COLLECT", -1, -1),
                      ("INSTANCE", 4, 0), ("CALL", 5, 2, 0, 0), ("LIST", 6), ("CALL", 7, 2, 0, 0)],
    # weakrefs to a class and a function; the referents dropped and collected
    "weak_kinds": [("FUNC", 0, IDENT), ("CLASS", 1, 1, 0, -1), ("WEAKREF", 2, 0, -1), ("WEAKREF", 3, 1, 0),
                   ("CLEAR", 0), ("CALL", 4, 2, 0, 0), ("CLEAR", 4), ("CLEAR", 1), ("GC_COLLECT", -1, -1),
                   ("CALL", 5, 3, 0, 0), ("CALL", 6, 2, 0, 0), ("ASSERT", 6, -1, 0), ("JUMP_IF_TRUE", 6, 13),
                   ("NOP",), ("JUMP_IF_FALSE", 5, 15)],
}


# Programs run with knobs set (the pool allocator, verify=2 and the knobs that
# reach each engine's rare paths), one seed per engine: seed-NAME-eN-k.
KNOB_PROGRAMS = {
    # a 60-deep chain of lists (plus a dict and a tuple over it) in a global,
    # across collections: overflows a small mark stack
    "deep": [("INT", 4, 0), ("INT", 5, 60), ("INT", 6, 1), ("LIST", 0),
             ("FOR_RANGE", 3, 4, 9), ("LIST", 1), ("APPEND", 1, 0), ("MOVE", 0, 1), ("JUMP", 4),
             ("GLOBAL_SET", 0, 0), ("CLEAR", 1), ("DICT", 2), ("SETITEM", 2, 4, 0), ("TUPLE", 7, 0, 1),
             ("APPEND", 0, 7), ("APPEND", 0, 2), ("GC_COLLECT", -1, -1), ("CLEAR", 0), ("CLEAR", 2),
             ("CLEAR", 7), ("GC_COLLECT", -1, -1), ("GLOBAL_GET", 8, 0), ("LEN", 9, 8), ("GC_COLLECT", -1, -1)],
    # a list of six tuples, each holding a list only it reaches, then collections: a
    # 2-entry mark stack overflows while the list's items are pushed, so the tuples
    # past it are traced only by the overflow rescan (marksweep/overflow-tuple)
    "tuple_fanout": [("INT", 9, 0), ("LIST", 0)] +
                    [("LIST", 1), ("LIST", 3), ("APPEND", 1, 3), ("TUPLE", 2, 1, 1), ("APPEND", 0, 2),
                     ("CLEAR", 1), ("CLEAR", 2), ("CLEAR", 3)] * 6 +
                    [("GC_COLLECT", -1, -1), ("LEN", 4, 0), ("GC_COLLECT", -1, -1)],
    # an old list (survived a collection) made to point to a new tuple that points
    # to a new list that points back, across a young collection; then dropped
    "old_young": [("INT", 9, 0), ("LIST", 0), ("GC_COLLECT", -1, -1), ("LIST", 1), ("APPEND", 1, 0),
                  ("TUPLE", 2, 1, 1), ("APPEND", 0, 2), ("CLEAR", 1), ("CLEAR", 2), ("GC_COLLECT", -1, 9),
                  ("LEN", 4, 0), ("GETITEM", 5, 0, 9), ("GETITEM", 6, 5, 9), ("IS", 7, 6, 0), ("CLEAR", 5),
                  ("CLEAR", 6), ("GC_COLLECT", -1, 9), ("CLEAR", 0), ("GC_COLLECT", -1, 9), ("GC_COLLECT", -1, -1)],
}
# Engine slots (fuzz/decode.c) and the knob pairs for each: (param index, value
# byte); value 2 = 1, 3 = 2, 1 = 0, 9 = 1.25; index 7 = verify (value 2: verify=2).
ENGINE_SLOTS = ["nogc", "rc", "rcgen", "marksweep", "bdw", "rcbr", "rcinc", "incms", "genms"]
KNOBS = {
    "rcgen": [(0, 2), (1, 3), (7, 2)],         # threshold0=1 threshold1=2
    "marksweep": [(2, 3), (1, 1), (7, 2)],     # mark_stack_max=2 min_heap=0
    "rcinc": [(0, 2), (3, 2), (7, 2)],         # threshold0=1 (an increment every allocation), rules=3.14.2, verify=2
    "incms": [(5, 2), (7, 2)],                 # stress=1 verify=2
    "genms": [(4, 2), (7, 2)],                 # stress=1 verify=2
}
# The knob programs also run on these slots (past the first nengines).
KNOB_EXTRA = ["rcinc", "incms", "genms"]


# Programs for the incremental and generational engines, run with their
# stress knob (incms: cycles back to back, a step per allocation; genms: a
# nursery collection every few allocations), so every op lands in some phase.
STRESS_KNOBS = {"incms": [(5, 2)], "genms": [(4, 2)]}     # stress=1
_pop_front = [("INT", 9, 0), ("LIST", 0)] + [("LIST", 1), ("APPEND", 0, 1)] * 40 + [("CLEAR", 1)]
_pop_front += ([("LIST", 2)] * 5 + [("POP", -1, 0, 9)]) * 12 + [("LIST", 2), ("LEN", 3, 0)] * 60
_pop_front += [("GC_COLLECT", -1, -1)]
_black_store = [("LIST", 0)] + [("LIST", 3), ("LIST", 2), ("APPEND", 0, 2), ("CLEAR", 2)] * 24
_black_store += [("LEN", 4, 0), ("GC_COLLECT", -1, -1), ("LEN", 4, 0)]
_young_fin = [("FUNC", 0, REC), ("CLASS", 1, 0, -1, 0), ("CLASS", 7, 1, -1, -1), ("LIST", 4)]
_young_fin += [("INSTANCE", 2, 1), ("INSTANCE", 8, 7), ("WEAKREF", 3, 8, 0), ("APPEND", 4, 3),
               ("SETATTR", 2, 0, 8), ("CLEAR", 2), ("CLEAR", 3), ("CLEAR", 8), ("LIST", 5), ("LIST", 5),
               ("LIST", 5), ("INSTANCE", 9, 7), ("WEAKREF", 10, 9, 0), ("APPEND", 4, 10), ("CLEAR", 9),
               ("CLEAR", 10), ("LIST", 5), ("LEN", 6, 4)] * 10
_young_fin += [("GC_COLLECT", -1, -1), ("LEN", 6, 4)]
_young_res = [("FUNC", 0, RES), ("CLASS", 1, 0, -1, 0), ("LIST", 4)]
_young_res += [("INSTANCE", 2, 1), ("LIST", 3), ("SETATTR", 2, 0, 3), ("CLEAR", 3), ("CLEAR", 2)]
_young_res += [("LIST", 5), ("LIST", 5), ("LEN", 6, 4)] * 30 + [("GC_COLLECT", -1, -1), ("LEN", 6, 4)]
# Programs for rcbr (trial deletion from buffered possible roots), run plain and
# with buffer_max=1 (a collection at almost every allocation): seed-NAME-e5[-b1].
# ring_held: R -> X -> Y -> R with X held in a slot, R and Y dropped: Scan whitens
# R first, then X's outside reference must blacken Y and, through Y, R again. R is
# an instance with __del__ (rec) and a weakref: a collector that whitens it wrongly
# finalizes it and clears the weakref before its re-check rescues it. R is made
# first and X last, so that the buffer (which the harness's walks fill too) holds R
# before X.
RCBR_KNOBS = {"": [(7, 2)], "-b1": [(0, 2), (7, 2)]}     # verify=2; buffer_max=1
_ring_held = [("INT", 9, 0), ("FUNC", 0, REC), ("CLASS", 1, 0, -1, 0), ("INSTANCE", 2, 1), ("LIST", 4),
              ("WEAKREF", 5, 2, -1), ("NOP",), ("LIST", 3), ("SETATTR", 2, 0, 3), ("APPEND", 3, 4),
              ("APPEND", 4, 2), ("CLEAR", 2), ("CLEAR", 4), ("GC_COLLECT", -1, -1), ("CALL", 6, 5, 0, 0),
              ("GETITEM", 7, 3, 9), ("GETITEM", 8, 7, 9), ("IS", 10, 8, 6), ("CLEAR", 6), ("CLEAR", 7),
              ("CLEAR", 8), ("LIST", 11), ("CLEAR", 3), ("GC_COLLECT", -1, -1), ("CALL", 6, 5, 0, 0)]
RCBR_PROGRAMS = {"ring_held": _ring_held}
# pop_front_loop: a 40-item list kept long (one new item appended and the front
# popped per round, three allocations between), for 1600 ops: under stress=1 a
# round's allocations step incms's marking through the list 4 items a step, and
# each pop moves every item one place toward the front while the list is half
# scanned (incms/partial-forward: a front-to-back scan then skips one)
_pop_loop_body = [("LIST", 1), ("APPEND", 0, 1), ("LIST", 2), ("LIST", 2), ("LIST", 2), ("POP", -1, 0, 9),
                  ("CLEAR", 1)]
_pop_front_loop = [("INT", 9, 0), ("INT", 4, 0), ("INT", 5, 40), ("INT", 6, 1), ("LIST", 0),
                   ("FOR_RANGE", 3, 4, 9), ("LIST", 1), ("APPEND", 0, 1), ("JUMP", 5),
                   ("CLEAR", 1), ("INT", 4, 0), ("INT", 5, 1600 // (len(_pop_loop_body) + 2)),
                   ("FOR_RANGE", 3, 4, 13 + len(_pop_loop_body) + 1)] + _pop_loop_body + [
                   ("JUMP", 12), ("CLEAR", 2), ("LEN", 7, 0), ("GC_COLLECT", -1, -1), ("LEN", 7, 0)]
STRESS_PROGRAMS = {
    # a long list popped from its front while marking scans it
    "pop_front_loop": _pop_front_loop,
    # an instance whose __del__ resurrects it (with the list it holds), then allocation
    "young_res": _young_res,
    # instances with __del__ holding instances that weakrefs (with callbacks) in an old list point to
    "young_fin": _young_fin,
    # a long list blackened a few items at a time while items are popped from its front
    "pop_front": _pop_front,
    # new lists stored into an old (or black) list and dropped from their slot
    "black_store": _black_store,
}


# Op templates for the dictionaries (fuzz/ops_target.dict, diff_target.dict):
# short op sequences that build the shapes random mutation rarely does, spliced
# by libFuzzer and AFL++ at any op boundary. Slots 0-4 as in the seeds; no jumps
# (a jump's target is an absolute op index, which a splice moves).
TEMPLATES = {
    # a cycle through each container kind: list <-> tuple, dict -> itself,
    # instance -> itself, list -> dict -> list, instance -> list -> instance
    "cyc_list_tuple": [("LIST", 0), ("TUPLE", 1, 0, 1), ("APPEND", 0, 1)],
    "cyc_dict": [("DICT", 0), ("SETITEM", 0, 0, 0)],
    "cyc_dict_value": [("DICT", 0), ("STR", 1, 1), ("SETITEM", 0, 1, 0)],
    "cyc_instance": [("CLASS", 1, 0, -1, -1), ("INSTANCE", 2, 1), ("SETATTR", 2, 0, 2)],
    "cyc_list_dict": [("LIST", 0), ("DICT", 1), ("APPEND", 0, 1), ("SETITEM", 1, 1, 0)],
    "cyc_inst_list": [("CLASS", 1, 0, -1, -1), ("INSTANCE", 2, 1), ("LIST", 3), ("APPEND", 3, 2),
                      ("SETATTR", 2, 1, 3)],
    # an instance with __del__ (rec, res, mkcyc) in a cycle with a weakref (callback rec), dropped
    "del_cycle_rec": [("FUNC", 0, REC), ("CLASS", 1, 0, -1, 0), ("INSTANCE", 2, 1), ("SETATTR", 2, 0, 2),
                      ("WEAKREF", 3, 2, 0), ("CLEAR", 2)],
    "del_cycle_res": [("FUNC", 0, RES), ("CLASS", 1, 0, -1, 0), ("INSTANCE", 2, 1), ("SETATTR", 2, 0, 2),
                      ("WEAKREF", 3, 2, -1), ("CLEAR", 2)],
    "del_cycle_mkcyc": [("FUNC", 0, MKCYC), ("CLASS", 1, 0, -1, 0), ("INSTANCE", 2, 1), ("CLEAR", 2)],
    # an old container (survived a full collection) made to point to a young tuple
    # that points back to a young list holding the old one; a young collection
    "old_young": [("LIST", 0), ("GC_COLLECT", -1, -1), ("LIST", 3), ("APPEND", 3, 0), ("TUPLE", 4, 3, 1),
                  ("APPEND", 0, 4), ("CLEAR", 3), ("CLEAR", 4), ("INT", 9, 0), ("GC_COLLECT", -1, 9)],
    # one level deeper: slot 0 becomes [slot 0] (repeated splices build a deep chain)
    "deeper": [("LIST", 1), ("APPEND", 1, 0), ("MOVE", 0, 1)],
    # read a weakref after a full collection
    "collect_read_wr": [("GC_COLLECT", -1, -1), ("CALL", 4, 3, 0, 0)],
}


def write_templates():
    """Rewrite the templates section at the end of both dictionaries."""
    mark = "# op templates (scripts/fuzz-seeds.py --dict):"
    for target in ("ops_target", "diff_target"):
        path = os.path.join(ROOT, "fuzz", target + ".dict")
        text = open(path).read()
        if mark in text:
            text = text[:text.index(mark)]
        lines = [mark]
        for name, prog in TEMPLATES.items():
            body = encode(prog, 0)[2:]
            lines.append('t_%s="%s"' % (name, "".join("\\x%02x" % b for b in body)))
        open(path, "w").write(text.rstrip("\n") + "\n" + "\n".join(lines) + "\n")
    # the same templates for the custom mutator (fuzz/mutate.c), spliced at op boundaries
    out = ["/* templates.h — written by scripts/fuzz-seeds.py --dict (do not edit): the op",
           " * templates of TEMPLATES there, encoded as ops (no header), for fuzz/mutate.c. */",
           "static const struct { const char *name; size_t len; const uint8_t *bytes; } fz_templates[] = {"]
    for name, prog in TEMPLATES.items():
        body = encode(prog, 0)[2:]
        out.append('    { "%s", %d, (const uint8_t *)"%s" },' % (name, len(body), "".join("\\x%02x" % b for b in body)))
    out.append("};")
    open(os.path.join(ROOT, "fuzz", "templates.h"), "w").write("\n".join(out) + "\n")


def main():
    if sys.argv[1:] == ["--dict"]:
        write_templates()
        return
    nengines = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    d = os.path.join(ROOT, "fuzz", "corpus", "ops_target")
    knob_slots = list(range(nengines)) + [ENGINE_SLOTS.index(e) for e in KNOB_EXTRA]
    for name, prog in KNOB_PROGRAMS.items():
        for e in sorted(set(knob_slots)):
            with open(os.path.join(d, "seed-%s-e%d-k" % (name, e)), "wb") as f:
                f.write(encode(prog, e, 0, "pool", KNOBS.get(ENGINE_SLOTS[e], [(7, 2)])))
    # every plain program too on the engines whose rare paths need knobs (rcinc's
    # increments need a small threshold0, incms and genms their stress mode; verify=2
    # checks each one's invariants after every collection)
    for engine in KNOB_EXTRA:
        e = ENGINE_SLOTS.index(engine)
        for name, prog in PROGRAMS.items():
            with open(os.path.join(d, "seed-%s-e%d-k" % (name, e)), "wb") as f:
                f.write(encode(prog, e, 0, "pool", KNOBS[engine]))
    for name, prog in STRESS_PROGRAMS.items():
        for engine, pairs in list(STRESS_KNOBS.items()) + [("rcinc", KNOBS["rcinc"])]:
            e = ENGINE_SLOTS.index(engine)
            with open(os.path.join(d, "seed-%s-e%d-stress" % (name, e)), "wb") as f:
                f.write(encode(prog, e, 0, "pool", pairs))
    e = ENGINE_SLOTS.index("rcbr")
    for name, prog in RCBR_PROGRAMS.items():
        for suffix, pairs in RCBR_KNOBS.items():
            with open(os.path.join(d, "seed-%s-e%d%s" % (name, e, suffix)), "wb") as f:
                f.write(encode(prog, e, 0, "pool", pairs))
    for target in ("ops_target", "diff_target"):
        d = os.path.join(ROOT, "fuzz", "corpus", target)
        os.makedirs(d, exist_ok=True)
        for name, prog in PROGRAMS.items():
            engines = range(nengines) if target == "ops_target" else [0]
            for e in engines:
                # knobs: plain, and zeal=1 for the small programs
                for knobs in (0, 1) if target == "ops_target" else (0,):
                    fn = os.path.join(d, "seed-%s-e%d-z%d" % (name, e, knobs))
                    with open(fn, "wb") as f:
                        f.write(encode(prog, e, knobs))


if __name__ == "__main__":
    main()
