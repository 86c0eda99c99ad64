# Keyword arguments the subset takes: print(sep=, end=) and
# gc.collect(generation=), gc.get_objects(generation=).
# engines: rcgen marksweep incms genms rcinc
import gc

print(1, 2, 3, sep=', ')
print('no newline', end='')
print(' ... then one')
print('a', 'b', sep='', end='!\n')
print(sep='-')
print('x', sep=None, end=None)
for i in range(3):
    print(i, end=' ')
print()
gc.collect(generation=0)
n = gc.collect(generation=2)
print(n, len(gc.get_objects(generation=2)) >= 0)
