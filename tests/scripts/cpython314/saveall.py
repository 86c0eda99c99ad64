# test_gc.py: test_saveall — with DEBUG_SAVEALL, cyclic garbage shows up in gc.garbage.
# expect-stdout: ok
import gc
gc.disable()
gc.collect()
assert len(gc.garbage) == 0
L = []
L.append(L)
id_L = id(L)
gc.set_debug(gc.DEBUG_SAVEALL)
del L
gc.collect()
gc.set_debug(0)
assert len(gc.garbage) == 1
obj = gc.garbage.pop()
assert id(obj) == id_L
print('ok')
