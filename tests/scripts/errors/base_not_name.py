print('ran')
class A:
    pass
class C(A()):
    pass
