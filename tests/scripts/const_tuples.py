# Tuples of constants are compile-time constants in CPython 3.11: one object
# per distinct value in the module, shared by every display and function,
# made before the first statement (gc.collect() finds them already there). A list of
# constants iterated by `for` or searched by `in` is such a tuple too. None
# of these allocates at run time; a tuple holding a name or a list does.
# Nothing is printed before the end: print allocates too.
# engines: every
# compare: rcgen rcinc
import gc



def pair():
    return (1, 2)


def nested():
    return ((1, 2), 'three', -4, None, True)


gc.collect()
c0 = gc.get_count()
t = (1, 2)
u = (1, 2)
v = pair()
w = nested()
n = 0
for x in [5, 6, 7]:
    n += x
found = 6 in [5, 6, 7]
missing = 'z' not in ('a', 'b')
c1 = gc.get_count()
q = [1]
y = (1, q)
z = (n, 2)
c2 = gc.get_count()
print(c0, c1, c2)
print(t is u, t is v, w[0] is t, w, n, found, missing)
print(y, z, len(z))
