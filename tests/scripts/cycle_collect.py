# The seeds' cycle: two lists pointing at each other survive their names and
# are found by a full collection (rc cannot: it leaks them).
# engines: every
# compare: every collects_cycles precise
# expect-leak every refcounts !collects_cycles: 2
import gc
a = []
b = []
a.append(b)
b.append(a)
del a
del b
print(gc.collect())
print(gc.collect())
