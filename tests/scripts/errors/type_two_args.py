print('ran')
t = type(1, 2)
