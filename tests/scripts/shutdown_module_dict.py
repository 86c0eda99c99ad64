# Shutdown as CPython 3.11's: a full collection while the module is intact
# (the garbage cycle is finalized first), then the module dict, which
# CPython's functions keep in a cycle, is collected: every __del__ of what
# only the globals hold runs with the globals still readable, in the
# collector's order, and nothing is left.
# engines: every refcounts collects_cycles
import gc

class D:
    def __init__(self, tag):
        self.tag = tag

    def __del__(self):
        print('del', self.tag, g, len(names))

g = 5
names = ['a', 'b']
a = D('global-a')
c = D('cycle')
c.me = c
del c
b = D('global-b')
l = [D('in-list')]
x = D('x')
print('end')
