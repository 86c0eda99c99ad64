# A weakref callback runs when the referent dies, with the (now dead) weakref.
# engines: every
# compare: every frees precise
import gc
import weakref
class C:
    pass
log = []
def cb(ref):
    log.append(ref() is None)
c = C()
r = weakref.ref(c, cb)
print(len(log))
del c
gc.collect()
print(log)
