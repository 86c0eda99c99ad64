# Tuple unpacking: from tuples and lists (CPython's UNPACK_SEQUENCE), and
# the swap `a, b = b, a`, for which CPython 3.11 makes no tuple.
# engines: every refcounts collects_cycles
# compare: rcgen rcinc
import gc

a, b = 1, 2
a, b = b, a
print(a, b)
x, y, z = [10, 'y', None]
print(x, y, z)
t = (4, 5)
p, q = t
print(p, q)
[m, n] = 'unused', t
print(m, n)


class Box:
    pass


box = Box()
box.l = [0, 0]
box.a, box.l[1] = 'A', 'L'
print(box.a, box.l)


def split(pair):
    first, second = pair
    return second, first


print(split((1, 2)))
gc.disable()
gc.collect()
n0 = gc.get_count()[0]
for i in range(10):
    a, b = b, a
print(gc.get_count()[0] - n0)
gc.enable()
