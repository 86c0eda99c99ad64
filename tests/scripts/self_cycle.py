# A list containing itself prints as [[...]] and is a cycle of one.
# engines: every
# expect-leak every refcounts !collects_cycles: 1
import gc
a = []
a.append(a)
print(a)
print(len(a), a[0] is a)
del a
