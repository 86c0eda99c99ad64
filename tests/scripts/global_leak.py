# A global cache that only grows: every object stays reachable until the program ends.
# engines: every
cache = []
def remember(x):
    global cache
    cache.append([x, str_of(x)])
    return len(cache)
def str_of(x):
    return {'v': x}
for i in range(100):
    remember(i)
print(len(cache), cache[99][0], cache[99][1]['v'])
