# Conditional expressions: only the chosen branch runs.
# engines: every
def pick(n):
    return 'big' if n > 10 else 'small'


x = [1] if pick(20) == 'big' else [2]
y = 0 if [] else 1
print(pick(3), pick(30), x, y, (1 if True else 2) + 1)
z = None
w = z if z is not None else 'default'
print(w)
