print('ran')
class A:
    pass
A.__slots__ = ('a',)
