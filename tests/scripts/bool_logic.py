# and / or return an operand, not a bool; not gives a bool; truth of each kind.
# engines: every
print(0 or 'x', 1 and [], 'a' and 'b', None or 0)
print(not None, not 0, not [], not [0], not {}, not '', not 'a')
print(1 and 2 and 3, 0 and 1)
