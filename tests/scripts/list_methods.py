# List methods besides append and pop: extend, insert, clear, index, count,
# remove, reverse (clear and remove release items as CPython does: clear from
# the last item).
# engines: every refcounts
import gc

l = [1, 2]
l.extend([3, 4])
l.extend((5,))
l.extend(l)
print(l, len(l))
l.insert(0, 'first')
l.insert(-1, 'before last')
l.insert(100, 'end')
l.insert(-100, 'start')
print(l)
print(l.index(3), l.count(1), l.count('x'), l.index('end'))
l.remove(1)
print(l)
l.reverse()
print(l)
print(l.clear(), l)


class Item:
    def __init__(self, n):
        self.n = n

    def __del__(self):
        print('del', self.n)


items = [Item(0), Item(1), Item(2)]
items.clear()
print('cleared', len(items))
kept = Item(9)
items = [kept, Item(3)]
items.remove(kept)
print(len(items))
del kept
print(gc.collect())
