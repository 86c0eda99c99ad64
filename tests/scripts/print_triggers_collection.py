# A print's own allocations can be the ones that trigger a young
# collection, which gc.callbacks observe: with the threshold at 5, the
# argument tuple or a bound write method of a print passes it (where, depends
# on the buffering mode: a buffered stdout's pending list is one more).
# stdout-modes: both
# engines: rcgen
# (leaked: the frozen module dict and what it holds, as shutdown_frozen.py)
# expect-leak rcgen: 7
import gc
log = []
def cb(phase, info):
    log.append(phase)
    log.append(info['generation'])
gc.collect()
gc.freeze()
gc.callbacks.append(cb)
print('start')
gc.set_threshold(5)
a = []
b = []
print('x')
n1 = len(log)
print('y')
n2 = len(log)
print(1, 2)
n3 = len(log)
c = []
d = []
print([d])
n4 = len(log)
print([d])
n5 = len(log)
gc.callbacks.remove(cb)
gc.set_threshold(700)
print(log, n1, n2, n3, n4, n5, gc.get_count())
