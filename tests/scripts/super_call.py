# Zero-argument super() in methods: super().__init__(...) and super().m(...)
# find the base's method (through the chain), and allocate as CPython 3.11
# does: a super object and a bound method (both tracked), freed before the
# callee runs; at threshold 1 each call triggers young collections that a
# direct Base.m(self) call does not.
# engines: rcgen
import gc


class A:
    """The root."""

    def __init__(self, v):
        self.v = v

    def m(self, x):
        return self.v + x

    def who(self):
        return 'A'


class B(A):
    def __init__(self, v, w):
        super().__init__(v)
        self.w = w

    def m(self, x):
        return super().m(x) * 10

    def who(self):
        return 'B' + super().who()


class C(B):
    def who(self):
        return 'C' + super().who()

    def direct(self):
        return A.who(self)

    def via_super(self):
        return super().m(1)


c = C(1, 2)
b = B(3, 4)
print(c.v, c.w, b.m(1), c.m(2), c.who(), b.who())
gc.collect()
gc.set_threshold(1)
s0 = gc.get_stats()[0]['collections']
for i in range(5):
    c.direct()
s1 = gc.get_stats()[0]['collections']
for i in range(5):
    c.via_super()
s2 = gc.get_stats()[0]['collections']
n = gc.get_count()
gc.set_threshold(700)
print(s1 - s0, s2 - s1, n)
