# test_gc.py: test_resurrection_only_happens_once_per_object — __del__ runs
# once: a resurrected object dropped again is collected without a second
# call. Ported: Lazarus.resurrected and its list are globals.
# expect-stdout: ok
import gc
resurrected = 0
resurrected_instances = []
class Lazarus:
    def __init__(self):
        self.me = self
    def __del__(self):
        global resurrected
        resurrected += 1
        resurrected_instances.append(self)
gc.collect()
gc.disable()
laz = Lazarus()
assert resurrected == 0
del laz
gc.collect()
assert resurrected == 1
assert len(resurrected_instances) == 1
resurrected_instances.pop()
assert resurrected == 1
gc.collect()
assert resurrected == 1
gc.enable()
print('ok')
