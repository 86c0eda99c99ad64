print('ran')
class A:
    def m(self):
        return 1
def f(x):
    return super().m()
