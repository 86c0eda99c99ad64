import gc
gc.disable()
print(gc.isenabled())
gc.enable()
gc.set_threshold(100, 5, 5)
print(gc.get_threshold(), gc.get_count())
s = gc.get_stats()
gc.freeze()
print(gc.get_freeze_count() >= 0)
gc.unfreeze()
def cb(phase, info):
    return None
gc.callbacks.append(cb)
a = []
a.append(a)
del a
gc.collect(0)
gc.collect()
gc.callbacks.pop()
print(len(gc.garbage))
gc.set_debug(0)
