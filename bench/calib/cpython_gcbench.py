"""cpython_gcbench.py — times CPython's own cycle collector on GCBench: the
reference rcgen's collections are measured against (issue 16).

Heap scripts cannot time themselves, so this CPython-only harness takes
workloads/scripts/gcbench.py (the twin of workloads/gcbench.c), sets its size
constants, and runs it under CPython with a gc.callbacks hook that reads
time.perf_counter_ns (the pause, wall-clock) and time.thread_time_ns (this
thread's CPU time: robust when other processes share the cores) at every
"start" and "stop". Run it as `python3 -S` (CPython 3.11 is rcgen's oracle).

    python3 -S bench/calib/cpython_gcbench.py [KEY=N]... [--script-out FILE]

KEY is stretch_depth, long_lived_depth, array_size, min_depth or max_depth
(defaults: gclab's gcbench defaults, 16 14 500000 4 14; Boehm's sizes are
stretch_depth=18 long_lived_depth=16 max_depth=16). --script-out FILE also
writes the sized script, so `gclab script FILE -e rcgen --json` runs the very
same program under rcgen. Prints one JSON line shaped like a gclab record:
engine "cpython-<version>", workload "gcbench", result, cpu_s, wall_s, gc_s,
gc_cpu_s, collections per generation, pauses {count,total_s,max_s,p50_s,
p99_s}. Exit 2 on bad arguments, 1 if the script's result is wrong.
"""
import gc
import io
import json
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "workloads", "scripts", "gcbench.py")
KEYS = {"stretch_depth": 16, "long_lived_depth": 14, "array_size": 500000, "min_depth": 4, "max_depth": 14}


def usage(msg):
    sys.stderr.write("cpython_gcbench: %s\nusage: python3 -S bench/calib/cpython_gcbench.py "
                     "[KEY=N]... [--script-out FILE]\n" % msg)
    sys.exit(2)


def sized_script(p):
    src = open(SCRIPT).read()
    for k, v in p.items():
        src, n = re.subn(r"^%s = \d+$" % k.upper(), "%s = %d" % (k.upper(), v), src, flags=re.M)
        if n != 1:
            usage("%s: no single '%s = N' line to set" % (SCRIPT, k.upper()))
    src, n = re.subn(r"= bytearray\(\d+\)", "= bytearray(%d)" % (8 * p["array_size"]), src)
    if n != 1:
        usage("%s: no single bytearray(N) literal to size" % SCRIPT)
    return src


def tree_size(d):
    return (1 << (d + 1)) - 1


def expected(p):
    sd, ld = p["stretch_depth"], p["long_lived_depth"]
    total = tree_size(sd) + tree_size(ld)
    for d in range(p["min_depth"], p["max_depth"] + 1, 2):
        total += 2 * (2 * tree_size(sd) // tree_size(d)) * tree_size(d)
    return total


def nearest_rank(sorted_xs, q):
    if not sorted_xs:
        return 0.0
    k = max(1, -(-len(sorted_xs) * q // 100))
    return sorted_xs[int(k) - 1]


def main(argv):
    p = dict(KEYS)
    out = None
    it = iter(argv)
    for a in it:
        if a == "--script-out":
            out = next(it, None) or usage("--script-out needs a file")
        elif "=" in a and a.split("=", 1)[0] in KEYS and a.split("=", 1)[1].isdigit():
            p[a.split("=", 1)[0]] = int(a.split("=", 1)[1])
        else:
            usage("bad argument '%s'" % a)
    src = sized_script(p)
    if out:
        with open(out + ".tmp", "w") as f:
            f.write(src)
        os.replace(out + ".tmp", out)

    pauses, cpu = [], [0]
    gens = [0, 0, 0]
    state = {}

    def cb(phase, info):
        if phase == "start":
            state["t"] = time.perf_counter_ns()
            state["c"] = time.thread_time_ns()
        else:
            pauses.append(time.perf_counter_ns() - state["t"])
            cpu[0] += time.thread_time_ns() - state["c"]
            gens[info["generation"]] += 1

    buf = io.StringIO()
    g = {"__name__": "__main__", "print": lambda *a: buf.write(" ".join(map(str, a)) + "\n")}
    code = compile(src, SCRIPT, "exec")
    gc.collect()
    gc.callbacks.append(cb)
    w0, c0 = time.perf_counter_ns(), time.process_time_ns()
    exec(code, g)
    w1, c1 = time.perf_counter_ns(), time.process_time_ns()
    gc.callbacks.remove(cb)
    result = int(buf.getvalue().split()[-1])
    ps = sorted(pauses)
    rec = {
        "engine": "cpython-%d.%d" % sys.version_info[:2], "workload": "gcbench",
        "params": {k: str(v) for k, v in p.items()}, "result": result,
        "wall_s": (w1 - w0) / 1e9, "cpu_s": (c1 - c0) / 1e9,
        "gc_s": sum(ps) / 1e9, "gc_cpu_s": cpu[0] / 1e9, "collections": gens,
        "pauses": {"count": len(ps), "total_s": sum(ps) / 1e9, "max_s": (ps[-1] if ps else 0) / 1e9,
                   "p50_s": nearest_rank(ps, 50) / 1e9, "p99_s": nearest_rank(ps, 99) / 1e9},
    }
    print(json.dumps(rec))
    return 0 if result == expected(p) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
