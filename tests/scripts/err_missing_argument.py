# Runtime error: a call that leaves a parameter without a value (CPython's binding message).
# engines: every
# expect-exit: 1
# expect-stderr: FILE:12: TypeError: Pair.__init__() missing 1 required positional argument: 'left'
class Pair:
    def __init__(self, left, right=None):
        self.left = left
        self.right = right


print(Pair(1, right=2).right)
p = Pair(right=3)
print('not reached')
