# class with __init__ taking arguments; attributes set, read, replaced and deleted.
# engines: every
class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y
class Empty:
    pass
p = Point(1, 2)
q = Point(p.x + 10, [p.y])
print(p.x, p.y, q.x, q.y)
q.y = 'replaced'
q.z = p
print(q.y, q.z.x)
del q.z
e = Empty()
e.v = 5
print(e.v)
class WithObject(object):
    pass
print(WithObject() is not None)
