print('ran')
l = []
for i in range(3):
    l.extend([i])
