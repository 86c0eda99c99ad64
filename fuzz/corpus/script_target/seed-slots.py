import gc
class A:
    __slots__ = ('y', 'x')
class B(A):
    __slots__ = ['z']
class D(A):
    pass
b = B()
b.x = b
b.z = []
d = D()
d.q = d
d.y = 1
del b.x
del b
del d
gc.collect()
