# test_gc.py: test_bug21435 — a finalizer that mutates a cycle member in
# finalize_garbage() must not crash the collector.
# expect-stdout: ok
import gc
gc.disable()
gc.collect()
class A:
    pass
class B:
    def __init__(self, x):
        self.x = x
    def __del__(self):
        self.attr = None
def do_work():
    a = A()
    b = B(A())
    a.attr = b
    b.attr = a
do_work()
gc.collect()
print('ok')
