# test_gc.py: test_get_objects_during_gc — gc.get_objects() in a __del__
# run by the collector works and does not list the dying object. Ported:
# gc.get_referrers is not in the subset; the nonlocal flag is a global.
# expect-stdout: ok
import gc
collected = False
class GetObjectsOnDel:
    def __del__(self):
        global collected
        collected = True
        objs = gc.get_objects()
        for i in range(len(objs)):
            assert objs[i] is not self
obj = GetObjectsOnDel()
obj.cycle = obj
del obj
gc.collect()
assert collected
print('ok')
