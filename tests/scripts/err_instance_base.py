# Runtime error: an instance has no __base__.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:9: AttributeError: 'B' object has no attribute '__base__'
class A:
    pass
class B(A):
    pass
print(B().__base__)
