# gc.garbage starts empty; with DEBUG_SAVEALL a collected cycle is kept there.
# engines: every debug_saveall
import gc
print(gc.garbage, gc.DEBUG_SAVEALL)
gc.collect()
gc.set_debug(gc.DEBUG_SAVEALL)
a = []
b = [a]
a.append(b)
del a
del b
print(gc.collect())
print(len(gc.garbage))
gc.set_debug(0)
g = gc.garbage
while len(g) > 0:
    x = g.pop()
    while len(x) > 0:
        x.pop()
del x
del g
print(gc.collect())
