# _test_gc_fast_cycles.py: test_incremental_gc_handles_fast_cycle_creation, at
# gc thresholds (200, 10) as support.gc_threshold(200, 10) sets them: 20,000
# short linked lists, each pointing at one long-lived list, kept 20 at a
# time; the tracked heap (_testinternalcapi.get_tracked_heap_size()) never
# grows by 27,000 objects or more. Ported: no __slots__ (a gclab instance is
# one object, as a slotted one is), no keyword defaults, `while olds:
# olds.pop()` for `del olds[:]` (same list, emptied).
# expect-stdout: ok
import gc
import _testinternalcapi

gc.set_threshold(200, 10)


class LinkedList:
    def __init__(self, nxt, prev):
        self.next = nxt
        if nxt is not None:
            nxt.prev = self
        self.prev = prev
        if prev is not None:
            prev.next = self


def make_ll(depth):
    head = LinkedList(None, None)
    for i in range(depth):
        head = LinkedList(head, head.prev)
    return head


def test():
    head = make_ll(1000)
    assert gc.isenabled()
    olds = []
    initial_heap_size = _testinternalcapi.get_tracked_heap_size()
    for i in range(20000):
        newhead = make_ll(20)
        newhead.surprise = head
        olds.append(newhead)
        if len(olds) == 20:
            new_objects = _testinternalcapi.get_tracked_heap_size() - initial_heap_size
            assert new_objects < 27000, 'Heap growing. Reached limit'
            while len(olds) > 0:
                olds.pop()


test()
print('ok')
