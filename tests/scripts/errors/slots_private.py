print('ran')
class A:
    __slots__ = ('__a',)
