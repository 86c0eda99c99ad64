# for over range with one, two and three arguments, negative steps, break, continue.
# engines: every
out = []
for i in range(4):
    out.append(i)
for i in range(2, 5):
    out.append(i)
for i in range(10, 0, -3):
    out.append(i)
for i in range(5, 5):
    out.append('never')
print(out, i)
s = 0
for i in range(100):
    if i % 3 == 0:
        continue
    if i > 20:
        break
    s += i
print(s)
for a in range(3):
    for b in range(3):
        if b > a:
            break
        print(a, b)
