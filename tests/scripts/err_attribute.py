# Runtime error: a missing attribute.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:7: AttributeError: 'D' object has no attribute 'x'
class D:
    pass
print(D().x)
