# test_gc.py: GCTogglingTests.test_indirect_calls_with_gc_disabled at
# gc_threshold(1000, 0, 0) — junk allocations trigger a collection while gc
# is enabled, and none in 10,000 iterations once it is disabled.
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
junk = []
i = 0
det = weakref.ref(C1055820(666), it_happened)
while len(happened) == 0:
    i += 1
    assert i <= 10000, "gc didn't happen after 10000 iterations"
    junk.append([])
gc.disable()
junk = []
i = 0
happened = []
det = weakref.ref(C1055820(666), it_happened)
while len(happened) == 0:
    i += 1
    if i > 10000:
        break
    junk.append([])
assert i == 10001
gc.enable()
print('ok')
