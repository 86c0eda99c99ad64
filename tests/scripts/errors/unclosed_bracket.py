print('ran')
x = [1, 2
