# `for` over lists, tuples, dicts (keys, insertion order) and strs, with
# break and continue; CPython's iterator is one tracked object while the
# loop runs (here a stand-in 1-tuple), so gc counts agree inside the loop.
# engines: every
import gc

total = 0
for x in [1, 2, 3, 4]:
    if x == 2:
        continue
    total += x
print(total)
for t in (10, 'a', None):
    print(t)
d = {'b': 1, 'a': 2, 'c': 3}
for k in d:
    print(k, d[k])
for ch in 'hey':
    print(ch)
for x in []:
    print('never')


def first_big(items, limit):
    for item in items:
        if item > limit:
            return item
    return None


print(first_big([1, 5, 9], 4), first_big((1, 2), 4))
nested = [[1, 2], [3]]
for row in nested:
    for v in row:
        print(v)
