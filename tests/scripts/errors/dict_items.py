print('ran')
d = {1: 2}
for k in range(1):
    print(d.items())
