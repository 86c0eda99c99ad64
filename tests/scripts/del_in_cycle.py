# __del__ in a cycle: a full collection runs each finalizer once, then frees both (PEP 442).
# On rc the two instances leak, and with them their class and its two methods.
# engines: every
# compare: every collects_cycles precise
# expect-leak every refcounts !collects_cycles: 5
import gc
class C:
    def __init__(self, name):
        self.name = name
    def __del__(self):
        print('del', self.name)
x = C('x')
y = C('y')
x.other = y
y.other = x
del x
del y
print('collecting')
gc.collect()
print('done')
