# A 1,000,000-iteration allocation loop: the script interpreter's speed
# figure (gclab script vs python3 -S on the same file). Each iteration makes
# a list holding a dict and drops the previous one, so refcounting engines
# free two containers per iteration.
def run(n):
    keep = None
    for i in range(n):
        x = [i, {'i': i}]
        keep = x
    return keep[0]
print(run(1000000))
