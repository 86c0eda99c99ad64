x = 1
except KeyError:
    pass
