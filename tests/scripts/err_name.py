# Runtime error: an undefined name.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:6: NameError: name 'undefined_name' is not defined
print('start')
print(undefined_name)
