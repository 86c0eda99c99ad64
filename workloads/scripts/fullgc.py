# fullgc.py — one live heap collected K times by gc.collect(): the per-object
# cost of a full collection (update_refs, subtract_refs, move_unreachable over
# every tracked object; nothing is garbage). bench/calib/cpython_fullgc.py
# times it under CPython 3.11 and under gclab's rcgen, interleaved.
#
# N items, each an instance of Item holding a list and a dict (tracked: the
# dict holds a container), all kept in one list: 3*N + 1 tracked objects of
# the script plus what the interpreter tracks itself. The automatic collector
# is off, so the K collections are the only ones. Printed: the number of
# tracked objects each collection walks (len(gc.get_objects())), then N.

import gc

N = 1000
K = 5


class Item:
    pass


def build(n):
    keep = []
    for i in range(n):
        o = Item()
        o.a = [i, None]
        o.b = {"k": o.a}
        keep.append(o)
    return keep


gc.disable()
heap = build(N)
print(len(gc.get_objects()))
for k in range(K):
    gc.collect()
print(len(heap))
