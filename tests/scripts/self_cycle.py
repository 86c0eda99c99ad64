# A list containing itself prints as [[...]] and is a cycle of one.
# engines: rc rcgen marksweep
# expect-leak rc: 1
import gc
a = []
a.append(a)
print(a)
print(len(a), a[0] is a)
del a
