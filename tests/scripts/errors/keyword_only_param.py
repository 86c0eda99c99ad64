print('ran')
def f(*args, key):
    pass
