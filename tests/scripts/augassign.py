# augmented assignment on locals, globals, attributes and items.
# engines: every
class C:
    pass
g = 1
def f():
    n = 10
    n += 5
    n //= 2
    return n
c = C()
c.v = 3
c.v *= 7
l = [1, 2]
l[0] += 100
d = {'k': 'a'}
d['k'] += 'b'
g += 41
s = 'x'
s += 'y'
print(f(), c.v, l, d, g, s)
