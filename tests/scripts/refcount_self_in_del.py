# sys.getrefcount(self) inside __del__: CPython calls the finalizer from C
# with self borrowed (slot_tp_finalize), so the count is the object's own
# references, plus __del__'s parameter, plus getrefcount's argument: 3 for
# an object dying by refcount (its count is 1 while the finalizer runs), 4
# for one finalized in a cycle (its self-reference and the collector's
# temporary one).
# engines: every refcounts collects_cycles
import sys
import gc

class D:
    def __del__(self):
        print('del', self.tag, sys.getrefcount(self))

d = D()
d.tag = 'plain'
del d

e = D()
e.tag = 'cycle'
e.me = e
del e
gc.collect()

print('end')
