# test_gc.py: test_get_objects and test_get_objects_generations — a new
# cycle is in gc.get_objects() and (0); after gc.collect() it is not in (0).
# Ported: any(...) is a loop, generation=0 is positional.
# expect-stdout: ok
import gc
def has(l, gen):
    if gen < 0:
        objs = gc.get_objects()
    else:
        objs = gc.get_objects(gen)
    for i in range(len(objs)):
        if objs[i] is l:
            return True
    return False
gc.collect()
l = []
l.append(l)
assert has(l, -1)
assert has(l, 0)
gc.collect()
assert not has(l, 0)
del l
gc.collect()
print('ok')
