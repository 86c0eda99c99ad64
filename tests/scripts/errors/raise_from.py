try:
    x = 1
except KeyError:
    raise ValueError('v') from None
