# A container's items die when it does: __del__ of each runs in order.
# engines: every
# compare: every refcounts
class C:
    def __init__(self, n):
        self.n = n
    def __del__(self):
        print('del', self.n)
l = [C(1), C(2), C(3)]
print('drop list')
l = None
print('dropped')
