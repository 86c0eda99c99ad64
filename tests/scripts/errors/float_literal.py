print('ran')
x = 1.5
