# a script with CR-only line endings (after these two header lines) runs as CPython runs it.
# engines: every
x = [1, 2]if len(x) == 2:    print("two", x)