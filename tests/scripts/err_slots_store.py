# Runtime error: storing a name outside __slots__ (the instance has no __dict__).
# engines: every
# expect-exit: 1
# expect-stderr: FILE:9: AttributeError: 'P' object has no attribute 'z'
class P:
    __slots__ = ('x', 'y')
p = P()
p.x = 1
p.z = 2
