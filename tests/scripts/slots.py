# __slots__: a slotted instance is one tracked object, as an instance with
# inline values (get_count, is_tracked); its referents are its slots in
# CPython's order (the most derived class's first, each class's names
# sorted), then its __dict__'s values (a subclass without __slots__ has one),
# then its class; a name outside the slots is an AttributeError, an unset
# slot reads as one, del of an unset slot is AttributeError(name); weakrefs
# only with '__weakref__' in the slots; a cycle through slots is collected.
# engines: rcgen rcinc
import gc
import sys
import weakref


class A:
    """Three slots, declared out of order."""
    __slots__ = ('y', 'x', 'b')

    def __init__(self, y):
        self.y = y

    def total(self):
        return self.y + self.b


class B(A):
    __slots__ = ['a']


class D(A):
    pass


class W:
    __slots__ = ('v', '__weakref__')


class Node:
    __slots__ = ('next', 'name')

    def __del__(self):
        log.append(self.name)


log = []
gc.collect()
c0 = gc.get_count()[0]
a = A(1)
c1 = gc.get_count()[0]
a.x = []
a.b = 3
c2 = gc.get_count()[0]
r1 = gc.get_referents(a)
b = B(1)
b.a = 4
b.x = 2
b.b = 3
r2 = gc.get_referents(b)
d = D(1)
d.q = 9
d.x = 2
r3 = gc.get_referents(d)
t = gc.is_tracked(a)
n = sys.getrefcount(a)
print(c0, c1, c2, t, n, a.total(), b.total())
print(r1[0], r1[1] is a.x, r1[2], r1[3] is A)
print(r2[:4], r2[4] is B, len(r2))
print(r3[:3], r3[3] is D)
try:
    a.z = 1
except AttributeError:
    print('a.z refused')
try:
    b.q = 1
except AttributeError:
    print('b.q refused')
e = A(2)
print(hasattr(e, 'x'), hasattr(a, 'x'), len(gc.get_referents(e)))
try:
    print(e.x)
except AttributeError:
    print('e.x unset')
del a.x
print(hasattr(a, 'x'), len(gc.get_referents(a)))
try:
    del a.x
except AttributeError:
    print('del a.x again')
a.x = 5
print(a.x, gc.get_referents(a)[1])
try:
    weakref.ref(a)
except TypeError:
    print('no weakref to A')
w = W()
w.v = 7
r = weakref.ref(w)
print(r() is w, weakref.ref(d)() is d, gc.get_referents(w)[0])
print(A.__slots__, B.__slots__, isinstance(b, A))
p = Node()
p.name = 'p'
q = Node()
q.name = 'q'
p.next = q
q.next = p
del p
del q
m = gc.collect()
print(m, log)
