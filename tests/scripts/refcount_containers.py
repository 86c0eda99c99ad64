# A list counts a reference per slot holding it; dict values and attributes count too.
# engines: every refcounts
import sys
class Box:
    pass
a = []
l = [a, a, a]
print(sys.getrefcount(a))
d = {'k': a, 'j': a}
print(sys.getrefcount(a))
bx = Box()
bx.item = a
print(sys.getrefcount(a))
del l
print(sys.getrefcount(a))
d['k'] = None
print(sys.getrefcount(a))
del bx.item
print(sys.getrefcount(a))
t = (a, a)
print(sys.getrefcount(a))
del t, d
print(sys.getrefcount(a))
