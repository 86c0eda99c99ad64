print('ran')
class C:
    pass
n = 'x'
print(hasattr(C(), n))
