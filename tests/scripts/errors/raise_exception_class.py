try:
    x = 1
except Exception:
    raise Exception('no')
