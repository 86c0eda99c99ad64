# tempclasses.py — the Django-migration shape as a heap script: a temporary
# model class per round whose Options and fields point back at it, kept for
# KEEP rounds, then dropped. The twin of workloads/tempclasses.c, at the
# sizes of tests/sh/test_workload_scripts.sh (gclab run -w tempclasses
# -p rounds=40 -p fields=3 -p keep=2).
#
# The last line printed is `result` = (ROUNDS - KEEP) * FIELDS * (FIELDS + 1)
# / 2, the indexes + 1 of every field checked when its state is dropped. On
# rc every state leaks (Model <-> meta, meta <-> fields and meta <-> proto
# are cycles): ROUNDS * (5 + FIELDS) objects (the class's attribute dict
# too) and the classes Options and Field. Nothing
# differs from tempclasses.c except spelling: `class Model` in a function
# makes a new class each call, as type('Model', (), {}) does in the C one.
import gc

ROUNDS = 40
FIELDS = 3
KEEP = 2


class Options:
    pass


class Field:
    pass


def render():
    class Model:
        pass
    meta = Options()
    meta.model = Model
    Model._meta = meta
    meta.fields = []
    meta.proto = Model()
    meta.proto.meta = meta
    for f in range(FIELDS):
        fld = Field()
        fld.model = Model
        fld.meta = meta
        fld.index = f
        meta.fields.append(fld)
    return meta


def main():
    assert KEEP >= 1 and ROUNDS > KEEP, 'keep must be at least 1 and below rounds'
    total = 0
    alive = []
    for r in range(ROUNDS):
        alive.append(render())
        if len(alive) > KEEP:
            old = alive.pop(0)
            assert len(old.fields) == FIELDS, 'a state lost fields'
            for f in range(FIELDS):
                fld = old.fields[f]
                assert fld.meta is old, 'a field lost its state'
                assert fld.model is old.model, 'a field lost its model'
                assert fld.index == f, 'a field lost its index'
                total += fld.index + 1
            old = None
            fld = None
    return total


print(main())
