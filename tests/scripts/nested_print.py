# print of nested containers matches CPython's repr, self-references included.
# engines: every
# expect-leak every refcounts !collects_cycles: 3
a = [1, [2, [3, [4]]], (5, (6,)), {'k': [None, True, False]}]
print(a)
d = {}
d['self'] = d
print(d)
l = [1]
l.append((l, 2))
print(l)
print([[], {}, ()], 1, 'two', None)
