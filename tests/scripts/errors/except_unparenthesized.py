try:
    x = 1
except KeyError, IndexError:
    pass
