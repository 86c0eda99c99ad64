# methods of any name called through instances (CPython 3.11's LOAD_METHOD:
# no bound method is made, so no allocation), class attributes, a function
# read from the class and called with the instance, a parameter that shadows
# a builtin, docstrings, and the __main__ guard.
# engines: every
# compare: every collects_cycles precise
# expect-leak every refcounts !collects_cycles: 16
import gc


class Ring:
    """A node of a doubly linked ring."""

    size = 0
    label = 'ring'

    def __init__(self, value):
        """Start as a ring of one."""
        self.value = value
        self.next = self
        self.prev = self

    def insert_after(self, next):
        next.prev = self
        next.next = self.next
        self.next.prev = next
        self.next = next

    def total(self):
        t = 0
        node = self
        while True:
            t += node.value
            node = node.next
            if node is self:
                break
        return t

    def nth(self, n):
        node = self
        for i in range(n):
            node = node.next
        return node


def build(n):
    """n nodes in one ring."""
    head = Ring(0)
    for i in range(1, n):
        head.prev.insert_after(Ring(i))
    return head


def main():
    gc.disable()
    gc.collect()
    r = build(10)
    print(r.total(), r.nth(3).value, r.nth(12).value, Ring.label, r.label)
    print(Ring.total(r.nth(1)))
    Ring.size = 10
    print(r.size, Ring.size)
    r.size = 3
    print(r.size, Ring.size)
    del r
    print(gc.collect())
    gc.enable()


if __name__ == "__main__":
    main()
