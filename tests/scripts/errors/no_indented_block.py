print('ran')
def f():
return 1
