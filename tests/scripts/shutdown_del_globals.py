# Shutdown as CPython 3.11's: first a full collection while the module is
# intact (gc.callbacks are called; the garbage cycle is finalized there).
# The module dict is then never freed: the function in gc.callbacks keeps it
# (its __globals__), so no __del__ of a global runs and what the globals
# hold is left (the leak counts below).
# engines: rcgen rcinc
# expect-leak rcgen: 11
# expect-leak rcinc: 11
import gc

def cb(phase, info):
    print('callback', phase, info['generation'])

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
gc.callbacks.append(cb)
print('end')
