print('ran')
class C:
    x.y = 1
