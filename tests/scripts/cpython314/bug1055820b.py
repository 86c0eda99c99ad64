# test_gc.py: test_bug1055820b — weakref callbacks on cyclic trash see their
# weakrefs cleared (wr() is None) even though the callback could reach the
# instances. Ported: comprehensions are loops, `ouch[:] = ...` refills the list.
# expect-stdout: ok
import gc
import weakref
gc.disable()
class C1055820(object):
    def __init__(self, i):
        self.i = i
        self.loop = self
ouch = []
WRs = []
def callback(ignored):
    while len(ouch) > 0:
        ouch.pop()
    for i in range(len(WRs)):
        ouch.append(WRs[i]())
Cs = [C1055820(0), C1055820(1)]
for i in range(2):
    WRs.append(weakref.ref(Cs[i], callback))
c = None
gc.collect()
assert len(ouch) == 0
Cs = None
gc.collect()
assert len(ouch) == 2
for i in range(2):
    assert ouch[i] is None
print('ok')
