# The seeds' linked list of Node objects: freed when the head goes, whatever the length.
# engines: every
# compare: every frees precise
import gc
import weakref
class Node:
    def __init__(self, value, nxt):
        self.value = value
        self.next = nxt
head = None
for i in range(1000):
    head = Node(i, head)
tail = head
while tail.next is not None:
    tail = tail.next
r = weakref.ref(tail)
print(tail.value, head.value)
del tail
total = 0
n = head
while n is not None:
    total += n.value
    n = n.next
print(total)
del head
gc.collect()
print(r() is None)
