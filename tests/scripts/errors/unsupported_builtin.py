print('ran')
x = sorted([1])
