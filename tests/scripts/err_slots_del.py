# Runtime error: del of an unset slot is member_set's AttributeError(name).
# engines: every
# expect-exit: 1
# expect-stderr: FILE:10: AttributeError: x
class P:
    __slots__ = ('x',)
p = P()
p.x = 1
del p.x
del p.x
