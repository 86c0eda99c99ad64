print('ran')
class A:
    def m(self):
        return 1
class B(A):
    def m(self):
        return super(B, self).m()
