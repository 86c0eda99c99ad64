# while with break and continue; while True with a break.
# engines: every
i = 0
odd = []
while i < 10:
    i += 1
    if i % 2 == 0:
        continue
    if i > 7:
        break
    odd.append(i)
print(odd, i)
n = 0
while True:
    n += 1
    if n == 5:
        break
print(n)
while False:
    print('never')
