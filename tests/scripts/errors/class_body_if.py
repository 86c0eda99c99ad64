print('ran')
class C:
    if 1:
        pass
