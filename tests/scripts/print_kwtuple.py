# print's keyword-name tuple, made by the first print and kept by the
# interpreter: gc.get_objects() lists it, tracked until a collection finds it
# holds only strs and untracks it (CPython's _PyTuple_MaybeUntrack).
# stdout-modes: both
# engines: rcgen
# (leaked: the frozen module dict and what it holds, as shutdown_frozen.py)
# expect-leak rcgen: 7
import gc
gc.freeze()
before = len(gc.get_objects())
print('first')
objs = gc.get_objects()
kw = [o for o in objs if type(o) is tuple and len(o) == 4 and o[0] == 'sep']
t = kw[0]
tracked = gc.is_tracked(t)
n = len(objs)
del objs
gc.collect()
print(before, n, kw, tracked, gc.is_tracked(t))
