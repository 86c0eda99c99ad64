# Displays and calls may span lines inside brackets; comments may sit anywhere.
# engines: every
data = [
    1,  # one
    2,
    {'k': (3,
           4)},
]
print(data,
      len(data))

# blank lines and comments between statements
print('done')
