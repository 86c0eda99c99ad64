print('ran')
class A:
    __slots__ = ('a', '__dict__')
