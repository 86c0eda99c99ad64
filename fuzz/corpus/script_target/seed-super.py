import gc
class A:
    def __init__(self, v):
        self.v = v
    def m(self, x):
        return x
class B(A):
    def __init__(self, v):
        super().__init__(v)
    def m(self, x):
        return super().m(x)
gc.set_threshold(1)
b = B([])
b.m(b)
gc.collect()
