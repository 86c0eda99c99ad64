class MyError:
    pass
try:
    x = 1
except MyError:
    pass
