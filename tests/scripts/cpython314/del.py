# test_gc.py: test_del and test_del_newclass — __del__ methods can trigger a
# collection (threshold 1), for a classic and a new-style class.
# expect-stdout: ok
import gc
thresholds = gc.get_threshold()
gc.enable()
gc.set_threshold(1)
class A:
    def __del__(self):
        x = [self]
a = A()
del a
class B(object):
    def __del__(self):
        x = [self]
b = B()
del b
gc.disable()
gc.set_threshold(thresholds[0], thresholds[1], thresholds[2])
print('ok')
