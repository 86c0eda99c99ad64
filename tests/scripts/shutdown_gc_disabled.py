# At shutdown with gc disabled, CPython skips the first collection: a garbage
# cycle is finalized with the module, in the collector's order (after
# global-a, tracked before it), and gc.callbacks are not called.
# engines: rcgen rcinc
# expect-leak rcgen: 7
# expect-leak rcinc: 7
import gc

def cb(phase, info):
    print('callback', phase, info['generation'])

class D:
    def __init__(self, tag):
        self.tag = tag

    def __del__(self):
        print('del', self.tag, g)

g = 5
gc.disable()
a = D('global-a')
c = D('cycle')
c.me = c
del c
b = D('global-b')
gc.callbacks.append(cb)
print('end')
