# test_gc.py: test_instance and the first half of test_newinstance — an
# instance holding itself, of a classic and of a new-style class.
# expect-stdout: ok
import gc
gc.disable()
gc.collect()
class A:
    pass
a = A()
a.a = a
gc.collect()
del a
assert gc.collect() != 0
class B(object):
    pass
b = B()
b.a = b
gc.collect()
del b
assert gc.collect() != 0
print('ok')
