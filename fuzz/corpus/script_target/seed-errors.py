def f(a, b):
    global g
    g = a
    return b

f(1)
