d = {"a": 1, "b": [1, 2, 3], 5: (1, 2)}
d["c"] = d
l = [d, d["b"], None, True, False, "x" + "y"]
l.append(l)
x = l.pop()
del l[0]
t = (1, 2, 3)
if len(t) == 3 and t[0] < t[2]:
    print(t, l[0])
else:
    print("no")
k = d.get("zz", 7) // 2 % 3 - -1
print(k, d.pop("a"), id(d) == id(d), not d)
for i in range(0, 10, 3):
    l[0] = i * 2
print(l, d is not None)
