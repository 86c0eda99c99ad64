print('ran')
f = lambda x: x
