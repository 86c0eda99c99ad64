print('ran')
print(f'a {} b')
