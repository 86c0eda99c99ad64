# gc.get_objects lists tracked containers: a live list is among them.
# engines: rcgen marksweep incms genms rcinc
import gc
x = [1]
objs = gc.get_objects()
found = False
for i in range(len(objs)):
    if objs[i] is x:
        found = True
print(found)
del objs
