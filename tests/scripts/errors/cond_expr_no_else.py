print('ran')
x = 1 if 2
