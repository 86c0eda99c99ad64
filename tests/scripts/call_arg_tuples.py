# Calls through tp_call pack their positional arguments in a tuple
# (CPython 3.11's _PyObject_MakeTpCall): a class called with arguments,
# weakref.ref(), str(x), gc.set_threshold(). After gc.collect() the tuple free
# lists are empty, so each such call allocates one more container, which can
# be the one that triggers a collection. Python functions, list(), dict(),
# len(), isinstance() and the other vectorcall builtins make none.
# Nothing is printed before the end: print allocates too.
# engines: every refcounts collects_cycles
# compare: rcgen
import gc
import weakref


class C:
    def __init__(self, x):
        self.x = x


class E:
    pass


def f(a, b):
    return a


def cb(w):
    pass


def count():
    return gc.get_count()[0]


o = E()
r = []
gc.collect()
c0 = count()
x = C(1)
r.append(count() - c0)
c0 = count()
y = weakref.ref(o, cb)
r.append(count() - c0)
c0 = count()
z = str(5)
r.append(count() - c0)
c0 = count()
gc.set_threshold(700, 10, 10)
r.append(count() - c0)
c0 = count()
v = f(1, 2)
w = E()
r.append(count() - c0)
del x, y, z, v, w

# keep, 697 lists and get_count()'s tuple make 699; then C(1): its argument
# tuple is number 700, the instance 701, past the threshold: a generation-0
# collection runs.
gc.collect()
keep = []
for i in range(697):
    keep.append([])
at = gc.get_count()
x = C(1)
print(r, at, gc.get_count())
