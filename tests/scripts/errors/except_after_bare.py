try:
    x = 1
except:
    pass
except KeyError:
    pass
