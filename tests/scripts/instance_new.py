# object.__new__ makes an instance without calling __init__; type() makes a class.
# engines: every
class C:
    def __init__(self):
        print('init ran')
c = object.__new__(C)
print('made without init')
def init(self, v):
    self.v = v
D = type('D', (), {'__init__': init})
d = D(5)
print(d.v)
