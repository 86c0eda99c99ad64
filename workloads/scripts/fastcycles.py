# fastcycles.py — CPython 3.14's Lib/test/_test_gc_fast_cycles.py pattern
# as a heap script: short doubly linked lists, each with a `surprise` edge
# to one long-lived list, kept BATCH at a time and then all dropped. The
# twin of workloads/fastcycles.c, at the sizes of
# tests/sh/test_workload_scripts.sh (gclab run -w fastcycles -p iterations=45
# -p depth=4 -p long_depth=10 -p batch=6). (The ported CPython test itself,
# with its heap-size assert, is tests/scripts/cpython314/.)
#
# The last line printed is `result` = (ITERATIONS - ITERATIONS % BATCH) *
# (DEPTH + 1), the nodes of every walk. On rc every node leaks (next/prev
# are 2-cycles), the long list's too, and class LinkedList. Nothing differs
# from fastcycles.c except spelling: no __slots__, no keyword defaults and
# no rebinding of the builtin `next` in the subset, __init__ is a function
# (a class holding an __init__ would leak one more object on rc than the C one), and `olds = []` for `del olds[:]` (the C one pops the list
# empty; either way the dropped lists are garbage).
import gc

ITERATIONS = 45
DEPTH = 4
LONG_DEPTH = 10
BATCH = 6


class LinkedList:
    pass


def linked(nxt, prev):     # LinkedList.__init__ of the test, as the C one does it
    self = LinkedList()
    self.next = nxt
    if nxt is not None:
        nxt.prev = self
    self.prev = prev
    if prev is not None:
        prev.next = self
    return self


def make_ll(depth):
    head = linked(None, None)
    for i in range(depth):
        head = linked(head, head.prev)
    return head


def main():
    assert BATCH >= 1, 'batch must be at least 1'
    total = 0
    head = make_ll(LONG_DEPTH)
    olds = []
    for i in range(ITERATIONS):
        newhead = make_ll(DEPTH)
        newhead.surprise = head
        olds.append(newhead)
        newhead = None
        if len(olds) == BATCH:
            for k in range(BATCH):
                node = olds[k]
                assert node.surprise is head, 'a list lost its surprise'
                nodes = 0
                while node is not None:
                    node = node.next
                    nodes += 1
                assert nodes == DEPTH + 1, 'a list has the wrong length'
                total += nodes
            olds = []
    return total


print(main())
