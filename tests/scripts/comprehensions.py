# List and dict comprehensions: nested for clauses, if clauses, tuple
# targets, range and sequence iterables; the variables stay inside (as in
# CPython 3), and a comprehension allocates one tracked object of its own
# while it runs (CPython's function object) besides its iterators.
# engines: rcgen rcinc
import gc

squares = [i * i for i in range(6)]
print(squares)
print([s for s in squares if s % 2 == 0 if s > 0])
print([(a, b) for a in range(3) for b in range(a)])
pairs = [(1, 'one'), (2, 'two')]
print([name for n, name in pairs], {n: name for n, name in pairs})
print({k: len(k) for k in ['a', 'bb', 'ccc']})
i = 'outer'
print([i for i in 'abc'], i)
grid = [[None] * 2 for _ in range(3)]
print(grid, grid[0] is grid[1])
print([x for x in []], {x: x for x in ()})
print([[y * 2 for y in row] for row in [[1, 2], [3]]])


def keep(items, limit=3):
    return [v for v in items if v < limit]


print(keep([5, 1, 2, 7, 0]), keep([4, 3], limit=5))


class Box:
    def __init__(self, n):
        self.n = n


boxes = [Box(n) for n in range(4)]
print([b.n for b in boxes if b.n])
gc.collect()
gc.freeze()
before = gc.get_count()[0]
made = [None for _ in range(3)]
print(gc.get_count()[0] - before)
del boxes, made
print(gc.collect())
# Frozen objects are never collected, at shutdown either (the module dict
# too): unfreeze so nothing is left.
gc.unfreeze()
