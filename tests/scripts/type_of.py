# type(x): an instance's class (`type(x) is C`, `type(x)()` makes another),
# the builtin types compared exactly (`type(True) is int` is False, as
# isinstance(True, int) is True), `type(x).__name__`. CPython 3.11's type(x)
# allocates nothing (type_vectorcall): get_count shows no change.
# engines: every refcounts collects_cycles
# compare: rcgen rcinc
import gc


class Point:
    def __init__(self, x):
        self.x = x


p = Point(3)
gc.collect()
gc.disable()
n0 = gc.get_count()
same = type(p) is Point
name = type(p).__name__
n1 = gc.get_count()
q = type(p)(4)
gc.enable()
print(same, type(p) == Point, type(p) is not Point, type(q) is Point, q.x)
print(type(1) is int, type(True) is int, type(True) is bool, isinstance(True, int))
print(type('s') is str, type([]) is list, type(()) is tuple, type({}) is dict, type([]) is dict)
print(type(p) is list, type([]) is Point, type([]) != list, type(1) == int)
print(type(p).__name__, type(1).__name__, type('x').__name__, type(None).__name__, type([]).__name__)
print(type({}).__name__, type(()).__name__, type(Point).__name__, type(False).__name__)
kinds = []
for v in [1, 'a', [2], (3,), {4: 5}, p]:
    if type(v) is int:
        kinds.append('int')
    elif type(v) is str:
        kinds.append('str')
    elif type(v) is list:
        kinds.append('list')
    elif type(v) is tuple:
        kinds.append('tuple')
    elif type(v) is dict:
        kinds.append('dict')
    else:
        kinds.append(type(v).__name__)
print(kinds)
print(n1[0] - n0[0], name)
