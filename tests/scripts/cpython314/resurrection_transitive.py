# test_gc.py: test_resurrection_is_transitive — what a resurrected object
# holds is resurrected with it. Ported: hasattr is a read of the attribute.
# expect-stdout: ok
import gc
resurrected_instances = []
class Cargo:
    def __init__(self):
        self.me = self
class Lazarus:
    def __del__(self):
        resurrected_instances.append(self)
gc.collect()
gc.disable()
laz = Lazarus()
cargo = Cargo()
cargo_id = id(cargo)
laz.cargo = cargo
cargo.laz = laz
del laz, cargo
gc.collect()
assert len(resurrected_instances) == 1
instance = resurrected_instances.pop()
assert id(instance.cargo) == cargo_id
gc.collect()
gc.enable()
print('ok')
