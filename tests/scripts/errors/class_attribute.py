print('ran')
class C:
    x = 1
