print('ran')
1 = x
