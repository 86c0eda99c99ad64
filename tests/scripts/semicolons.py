# Several simple statements on a line; pass; one-line blocks.
# engines: every
a = [1, 2, 3]; b = a; c = a; del b
if a: print('one-line if'); print(len(a))
for i in range(2): print(i)
while False: pass
def f(): return 'f'
class K: pass
print(f(), K() is not None)
