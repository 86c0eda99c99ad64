try:
    x = {}[1]
except KeyError as e:
    print(e)
