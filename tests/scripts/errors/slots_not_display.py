print('ran')
names = ('a',)
class A:
    __slots__ = names
