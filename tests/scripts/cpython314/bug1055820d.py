# test_gc.py: GCTogglingTests.test_bug1055820d at gc_threshold(1000, 0, 0) —
# like 1055820c with a __del__ instead of a weakref callback.
# expect-stdout: ok
import gc
import weakref
gc.enable()
gc.set_threshold(1000, 0, 0)
class C1055820(object):
    def __init__(self, i):
        self.i = i
        self.loop = self
happened = []
def it_happened(ignored):
    happened.append(1)
ouch = []
c2wr = None
class D(object):
    def __init__(self, i):
        self.i = i
        self.loop = self
    def __del__(self):
        ouch.append(c2wr())
d0 = D(0)
gc.collect()
c1 = C1055820(1)
c1.keep_d0_alive = d0
del d0.loop
c2 = C1055820(2)
c2wr = weakref.ref(c2)
d0 = None
c1 = None
c2 = None
det = weakref.ref(C1055820(666), it_happened)
junk = []
i = 0
while len(happened) == 0:
    i += 1
    assert i <= 10000, "gc didn't happen after 10000 iterations"
    assert len(ouch) == 0
    junk.append([])
assert len(ouch) == 1
assert ouch[0] is None
gc.disable()
print('ok')
