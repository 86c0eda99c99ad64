print('ran')
class A:
    __slots__ = ('a', 'a')
