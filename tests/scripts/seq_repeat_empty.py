# An empty sequence repeated a huge number of times is empty at once (a hang
# found by AFL++ in fuzz-smoke: '' * 11111111141111111111 looped per repetition).
# engines: every
print(repr('' * 1000000000000000000))
print([] * 1000000000000000000)
print(() * 1000000000000000000)
print(len('ab' * 3), len([1] * 0), len((1, 2) * 2))
