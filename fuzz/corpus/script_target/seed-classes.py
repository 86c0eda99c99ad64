import gc
import sys
import weakref


class Node:
    def __init__(self, v):
        self.v = v
        self.next = None

    def __del__(self):
        return None


def make_ring(n):
    first = Node(0)
    cur = first
    for i in range(1, n):
        nxt = Node(i)
        cur.next = nxt
        cur = nxt
    cur.next = first
    return first


r = make_ring(5)
w = weakref.ref(r)
assert w() is r
del r
print(gc.collect())
assert w() is None
print(sys.getrefcount([]))
