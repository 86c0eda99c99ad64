# Explicit calls of __del__ run it as a method; the collector runs it again
# when the object dies (CPython does the same).
# engines: every
# compare: every refcounts
class C:
    def __init__(self, n):
        self.n = n

    def __del__(self):
        print("del", self.n)


c = C(1)
c.__del__()
C.__del__(c)
print("dropping")
del c
print("end")
