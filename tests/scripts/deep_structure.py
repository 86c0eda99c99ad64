# A 100000-deep nested list is built and freed without recursion in the collector.
# engines: every
import gc
root = []
cur = root
for i in range(100000):
    nxt = []
    cur.append(nxt)
    cur = nxt
del cur
del nxt
n = 0
x = root
while len(x) > 0:
    x = x[0]
    n += 1
print(n)
del x
del root
gc.collect()
print('freed')
