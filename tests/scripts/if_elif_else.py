# if / elif / else, with and without else, nested.
# engines: every
def classify(n):
    if n < 0:
        return 'negative'
    elif n == 0:
        return 'zero'
    elif n < 10:
        if n % 2 == 0:
            return 'small even'
        else:
            return 'small odd'
    else:
        return 'large'
for i in range(-1, 12, 3):
    print(i, classify(i))
if []:
    print('no')
if [0]:
    print('yes')
else:
    pass
