# List and dict displays are made after their items are evaluated (CPython
# 3.11's BUILD_LIST, BUILD_MAP, BUILD_CONST_KEY_MAP): a display does not see
# itself in gc.get_objects(), and inner containers are allocated first.
# (Nothing is printed before the end: print allocates too.)
# engines: rcgen rcinc
import gc

gc.freeze()
n = [len(gc.get_objects())]
gc.collect()
m = {'k': len(gc.get_objects())}
gc.collect()
outer = [[], {}, [1]]
objs = gc.get_objects()
order = (len(objs), objs[-1] is outer, objs[-3] is outer[0], objs[-2] is outer[2])
del objs
gc.collect()
d = {'a': [], 'b': [len(gc.get_objects())]}
print(n, m, order, d['b'])
del n, m, outer, d
gc.collect()
print(gc.get_count())
# Frozen objects are never collected, at shutdown either (CPython leaves the
# frozen module dict and what it holds): unfreeze so nothing is left.
gc.unfreeze()
