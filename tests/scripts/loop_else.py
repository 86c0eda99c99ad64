# for/else and while/else: the else block runs when the loop ends without
# a break; break and continue inside it belong to the enclosing loop.
# (--print refuses a break or continue of an outer loop in a while/else's
# else block: the printer's while/else shape has no spelling for it.)
# engines: every
# compare: every refcounts
import gc


def find(items, wanted):
    for i in range(len(items)):
        if items[i] == wanted:
            print('found', wanted, 'at', i)
            break
    else:
        print(wanted, 'not found')
        return -1
    return i


print(find([3, 1, 4], 4), find([3, 1, 4], 9), find([], 0))

for x in [1, 2]:
    pass
else:
    print('list loop done', x)

n = 0
while n < 3:
    n += 1
else:
    print('while done', n)

n = 0
while n < 10:
    n += 1
    if n == 4:
        break
else:
    print('not printed')
print('broke at', n)

for outer in range(3):
    k = 0
    while k < outer:
        k += 1
    else:
        print('inner while done for', outer, k)
    for j in range(outer):
        pass
    else:
        if outer == 1:
            continue
    print('after the loops', outer)

primes = []
for cand in range(2, 20):
    for d in primes:
        if cand % d == 0:
            break
    else:
        primes.append(cand)
print(primes)
while True:
    break
else:
    print('never')
print(gc.collect())
