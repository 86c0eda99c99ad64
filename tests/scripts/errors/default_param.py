print('ran')
def f(x=1):
    pass
