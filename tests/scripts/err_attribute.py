# Runtime error: a missing attribute.
# engines: rc rcgen marksweep nogc
# expect-exit: 1
# expect-stderr: FILE:7: AttributeError: 'D' object has no attribute 'x'
class D:
    pass
print(D().x)
