# test_gc.py: test_resurrection_does_not_block_cleanup_of_other_objects —
# a resurrecting __del__ is not counted collected and does not stop the rest.
# Ported: Z is not a subclass of A (no base classes in the subset): it
# repeats A's __init__.
# expect-stdout: ok
import gc
N = 100
zs = []
class A:
    def __init__(self):
        self.me = self
class Z:
    def __init__(self):
        self.me = self
    def __del__(self):
        zs.append(self)
def getstats():
    d = gc.get_stats()[2]
    return [d['collected'], d['uncollectable']]
gc.collect()
gc.disable()
old = getstats()
for i in range(N):
    A()
t = gc.collect()
c = getstats()
assert t == N
assert c[0] - old[0] == N
assert c[1] - old[1] == 0
old = c
Z()
t = gc.collect()
c = getstats()
assert t == 0
assert c[0] - old[0] == 0
assert c[1] - old[1] == 0
old = c
for i in range(N):
    A()
Z()
t = gc.collect()
c = getstats()
assert t == N
assert c[0] - old[0] == N
assert c[1] - old[1] == 0
old = c
while len(zs) > 0:
    zs.pop()
t = gc.collect()
c = getstats()
assert t == 2
assert c[0] - old[0] == 2
assert c[1] - old[1] == 0
gc.enable()
print('ok')
