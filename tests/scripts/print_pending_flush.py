# A buffered stdout's pending list lives until 8192 bytes are pending: a
# write that would pass them flushes first (the list is freed to the list
# free list, so the next list costs no count), and the next write makes it
# again from that free list. Unbuffered, no list is ever made.
# stdout-modes: both
# engines: rcgen
# (leaked: the frozen module dict and what it holds, as shutdown_frozen.py)
# expect-leak rcgen: 6
import gc
gc.freeze()
gc.collect()
r = []
r.append(gc.get_count()[0])
print(end='')
r.append(gc.get_count()[0])
print(end='')
r.append(gc.get_count()[0])
s = 'x' * 4000
print(s)
r.append(gc.get_count()[0])
print(s)
r.append(gc.get_count()[0])
print(s)
r.append(gc.get_count()[0])
x = []
r.append(gc.get_count()[0])
print(s)
r.append(gc.get_count()[0])
y = []
r.append(gc.get_count()[0])
for i in range(3000):
    print(i)
r.append(gc.get_count()[0])
print(r)
