# test_gc.py: GCTogglingTests.test_bug1055820c — a weakref callback on an
# old object, run when a young collection frees what kept it alive, sees a
# callback-free weakref to young trash cleared. Garbage collection happens
# "naturally" (junk allocations) until a GC_Detector sees it.
# expect-stdout: ok
import gc
import weakref
gc.enable()
class C1055820(object):
    def __init__(self, i):
        self.i = i
        self.loop = self
happened = []
def it_happened(ignored):
    happened.append(1)
def detector():
    return weakref.ref(C1055820(666), it_happened)
c0 = C1055820(0)
gc.collect()
c1 = C1055820(1)
c1.keep_c0_alive = c0
del c0.loop
c2 = C1055820(2)
c2wr = weakref.ref(c2)
ouch = []
def callback(ignored):
    ouch.append(c2wr())
c0wr = weakref.ref(c0, callback)
c0 = None
c1 = None
c2 = None
junk = []
i = 0
det = detector()
while len(happened) == 0:
    i += 1
    assert i <= 10000, "gc didn't happen after 10000 iterations"
    assert len(ouch) == 0
    junk.append([])
assert len(ouch) == 1
assert ouch[0] is None
gc.disable()
print('ok')
