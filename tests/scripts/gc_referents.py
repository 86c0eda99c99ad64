# gc.get_referents(*objs) in CPython 3.11's tp_traverse order: list and tuple
# items from the last, a dict's values (and keys unless all are strs), an
# instance's attributes then its class; nothing for ints and strs. The
# argument tuple and the result list are tracked allocations: get_count sees
# them (the tuple goes back to the free list, the list stays).
# engines: rcgen rcinc
import gc


class Node:
    def __init__(self, v):
        self.v = v
        self.kids = []


n = Node(7)
r1 = gc.get_referents(n)
r2 = gc.get_referents([1, 'x', None])
r3 = gc.get_referents((1, 'y'))
r4 = gc.get_referents({'k': 5, 3: [2]})
r5 = gc.get_referents({'k': 5, 'j': 'v'})
r6 = gc.get_referents(1, 'x')
r7 = gc.get_referents([1], [2, 3])
r8 = gc.get_referents()
gc.collect()
gc.freeze()
a = gc.get_count()
r9 = gc.get_referents(n, n.kids)
b = gc.get_count()
del r9
c = gc.get_count()
print(r1[0], r1[1], r1[2] is Node, len(r1))
print(r2, r3, r4, r5, r6, r7, r8)
print(a, b, c)
gc.unfreeze()
