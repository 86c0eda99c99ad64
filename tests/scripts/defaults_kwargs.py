# Parameters with defaults (int, str, None, True, False literals), keyword
# arguments to functions, methods and classes, and *args: bound as CPython
# binds them, with its messages.
# engines: every
# compare: every refcounts
import gc


def f(a, b=2, c='x', d=None, e=True):
    print(a, b, c, d, e)


f(1)
f(1, 3)
f(1, c='y')
f(a=5, e=False)
f(1, 2, 3, 4, 5)
f(d=-7, a=0)


def total(*args):
    s = 0
    for v in args:
        s += v
    return s, len(args)


print(total(), total(1), total(1, 2, 3))


def head(first, *rest):
    return first, rest


print(head(1), head(1, 2, 3))


class Node:
    def __init__(self, value, next=None):
        self.value = value
        self.next = next

    def link(self, other=None, back=False):
        self.next = other
        if back and other is not None:
            other.next = self
        return self.next


n = Node(1)
m = Node(2, next=n)
print(m.next.value, n.next)
print(m.link(back=True, other=n).value, n.next.value)
print(m.link() is None)
del m, n
print(gc.collect())


def describe(n, sep='-', count=3):
    out = ''
    for i in range(count):
        if i:
            out = out + sep
        out = out + str(n)
    return out


print(describe(4), describe(4, count=1), describe(n=2, sep='+'))
print(gc.collect(generation=0))
print('done')
