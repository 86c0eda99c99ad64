print('ran')
def f(x=[]):
    pass
