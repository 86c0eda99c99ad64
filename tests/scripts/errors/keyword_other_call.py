print('ran')
x = len([], y=1)
