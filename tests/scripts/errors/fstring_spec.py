print('ran')
x = 5
print(f'{x:5}')
