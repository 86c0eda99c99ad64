print('ran')
def f(x=1, y):
    pass
