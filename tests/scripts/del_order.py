# Without cycles __del__ runs the moment the last reference goes: at del, at
# rebinding, at a function's return, and when a container drops it.
# engines: every
# compare: every refcounts
class C:
    def __init__(self, name):
        self.name = name
    def __del__(self):
        print('del', self.name)
a = C('a')
print('before del a')
del a
b = C('b1')
b = C('b2')
print('rebound b')
def f():
    t = C('local')
    print('in f')
f()
print('after f')
l = [C('item')]
l.pop()
print('popped')
d = {'k': C('value')}
del d['k']
print('deleted key')
del b
print('end')
