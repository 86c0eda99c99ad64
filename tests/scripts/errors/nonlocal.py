print('ran')
def f():
    nonlocal x
