# test_afl_mutator.sh — build/fuzz/afl-mutator.so, fuzz/mutate.c behind AFL++'s
# custom mutator API (fuzz/afl_mutator.c), called as afl-fuzz calls it
# (afl_custom_init / afl_custom_fuzz / afl_custom_deinit), through ctypes:
# outputs stay within the bound, the same seed mutates the same way, op
# templates of fuzz/templates.h are spliced in, and a splice partner's ops
# are spliced in. AFL++ itself runs it in `make fuzz-smoke` (scripts/fuzz-run.sh).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
so=build/fuzz/afl-mutator.so
if [ ! -f "$so" ]; then
    fail afl_mutator:built "$so is missing (make $so)"
    exit 0
fi
seed=fuzz/corpus/ops_target/$(ls fuzz/corpus/ops_target | grep -v '^regress-' | head -n 1)
python3 -S - "$so" "$seed" >"$T_TMP/out" 2>&1 <<'PY'
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1])
lib.afl_custom_init.restype = ctypes.c_void_p
lib.afl_custom_init.argtypes = [ctypes.c_void_p, ctypes.c_uint]
lib.afl_custom_fuzz.restype = ctypes.c_size_t
P = ctypes.POINTER(ctypes.c_uint8)
lib.afl_custom_fuzz.argtypes = [ctypes.c_void_p, P, ctypes.c_size_t, ctypes.POINTER(P), P, ctypes.c_size_t, ctypes.c_size_t]
lib.afl_custom_deinit.argtypes = [ctypes.c_void_p]
src = open(sys.argv[2], 'rb').read()

def run(seed, add, n=400, max_size=1 << 20):
    m = lib.afl_custom_init(None, seed)
    outs = []
    buf = (ctypes.c_uint8 * len(src)).from_buffer_copy(src)
    ab = (ctypes.c_uint8 * len(add)).from_buffer_copy(add) if add else None
    for _ in range(n):
        out = P()
        size = lib.afl_custom_fuzz(m, buf, len(src), ctypes.byref(out), ab, len(add), max_size)
        outs.append(ctypes.string_at(out, size))
    lib.afl_custom_deinit(m)
    return outs

a, b, c = run(7, b''), run(7, b''), run(8, b'')
print('bounded', all(len(o) <= 1024 for o in a))
print('same-seed-same-outputs', a == b)
print('other-seed-other-outputs', a != c)
print('changed', sum(o != src for o in a) > len(a) // 2)
cyc_dict = b'\x07\x00\x13\x00\x00\x00'   # templates.h cyc_dict
print('template-spliced', cyc_dict not in src and any(cyc_dict in o for o in a))
# A partner of header and LIST slot 7 ops (in neither src nor a template): afl_custom_fuzz
# splices runs of its whole ops in (1 call in 4), which fz_mutate alone never makes.
mark = b'\x06\x07\x06\x07'
partner = bytes([src[0], src[1] & 0x3f]) + mark * 4
print('partner-spliced', mark not in src and not any(mark in o for o in a)
      and sum(mark in o for o in run(9, partner)) > 0)
PY
expect_eq afl_mutator:runs "$?" 0
for k in bounded same-seed-same-outputs other-seed-other-outputs changed template-spliced partner-spliced; do
    expect_eq "afl_mutator:$k" "$(sed -n "s/^$k //p" "$T_TMP/out")" True
done
