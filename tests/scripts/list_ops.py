# list: display, append, pop, index (negative too), assignment, del, len.
# engines: every
l = [1, 2, 3]
l.append(4)
print(l, len(l))
print(l[0], l[-1], l[-4])
l[1] = 'two'
print(l)
print(l.pop(), l.pop(0), l)
del l[0]
print(l)
l.append([5, [6]])
print(l, l[1][1][0])
e = []
print(e, len(e), not e, not l)
