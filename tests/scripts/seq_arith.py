# + on lists, tuples and strs, * with an int on either side; each result is
# one new object (one gc allocation, as CPython's list_repeat and friends).
# engines: every
import gc

gc.disable()
gc.collect()
a = [1, 2] + [3]
b = (1, 'x') + (2,)
c = [None] * 4
d = 2 * (7,)
e = 'ab' * 3
f = [a] * 2
print(a, b, c, d, e, f)
print([] * 5, () + (), 'x' * 0, [1] * -1, (1, 2) * 0)
print(f[0] is f[1], f[1] is a)
g = [None] * 1000
h = [g, g] + [g]
print(len(g), len(h), h[2] is g, g[999])
gc.enable()
