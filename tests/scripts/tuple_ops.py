# tuples: empty, one item, nesting, indexing, len, identity of the empty tuple.
# engines: every
t = (1, 'a', None)
print(t, t[1], len(t))
print((), (5,), ((1, 2), [3]))
e1 = ()
e2 = ()
print(e1 is e2)
u = 1, 2
print(u)
