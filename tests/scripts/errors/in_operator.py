print('ran')
x = 1 in [1]
