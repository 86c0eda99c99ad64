print('ran')
x = str(1)
