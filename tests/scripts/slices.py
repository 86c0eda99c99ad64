# Slices of lists, tuples and strs (a new object; a tuple or str sliced whole
# is itself, as in CPython), negative and omitted bounds, steps, str
# indexing, and del of a list slice (items released from the last).
# (CPython's one-character strs are cached, but not the same objects as
# literals: `s[0] is 'c'` is False there, True here, where both are the
# interned str; not shown.)
# engines: every
# compare: every refcounts
import gc

l = [0, 1, 2, 3, 4, 5, 6, 7]
print(l[2:5], l[:3], l[5:], l[:], l[-3:], l[:-6], l[::2], l[::-1], l[6:1:-2], l[10:20], l[-100:2])
print(l[:] is l, len(l[:]) == len(l))
t = (1, 2, 3, 4)
print(t[1:3], t[:], t[:] is t, t[3:1], t[::-1], t[1:2])
s = 'collector'
print(s[1:4], s[:] is s, s[::-1], s[-3:], s[3], s[-1], s[2:3] == 'l', s[100:], len(s[4:]))


class Item:
    def __init__(self, n):
        self.n = n

    def __del__(self):
        print('del', self.n)


items = [Item(0), Item(1), Item(2), Item(3), Item(4)]
del items[1:3]
print(len(items), items[0].n, items[1].n)
del items[::2]
print(len(items), items[0].n)
del items[:]
print(items)
nums = list()
for i in range(10):
    nums.append(i)
del nums[8:2:-2]
print(nums)
lo = 1
hi = 3
print(l[lo:hi], l[lo:], l[:hi])
print(gc.collect())
