# global declarations: functions that rebind, delete and read module names.
# engines: every
counter = 0
def bump():
    global counter
    counter += 1
    return counter
def read():
    return counter * 10
bump()
bump()
print(counter, read())
def make_global():
    global made
    made = [1]
def drop_global():
    global made
    del made
make_global()
print(made)
drop_global()
x = y = [7]
print(x is y, x)
