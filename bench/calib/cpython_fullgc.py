"""cpython_fullgc.py — ns per object of a full collection, CPython 3.11
against gclab's rcgen, on the same live heap (issue 16).

workloads/scripts/fullgc.py builds N items (an instance, a list, a dict:
3*N + 1 tracked objects of its own) with the automatic collector off, then
calls gc.collect() K times; nothing is garbage, so each collection is
update_refs, subtract_refs and move_unreachable over every tracked object.
Per repetition, in an order rotated by repetition, this runs
  - CPython: `python3 -S` on the sized script, a gc.callbacks hook reading
    time.perf_counter_ns at "start" and "stop" (a heap script cannot time
    itself), and
  - gclab: `gclab script SIZED -e rcgen --json` (its pause log: monotonic
    clock around every collection),
and takes each side's median pause (wall), its mean CPU time per collection
(CPython: time.thread_time_ns in the hook; gclab: gc_cpu_s / K; robust when
other processes share the cores) and its tracked-object count (the script
prints len(gc.get_objects()): the interpreter's own objects count on
CPython's side, gclab has none). Prints one line per run and a summary: the
medians over repetitions of ns/object and their ratio (gclab / CPython).

    python3 -S bench/calib/cpython_fullgc.py [N=200000] [K=20] [--reps 5]
        [--gclab build/gclab] [--engine rcgen]

Exit 2 on bad arguments, 1 if a run fails or its output is wrong.
"""
import gc
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
SCRIPT = os.path.join(ROOT, "workloads", "scripts", "fullgc.py")


def usage(msg):
    sys.stderr.write("cpython_fullgc: %s\nusage: python3 -S bench/calib/cpython_fullgc.py "
                     "[N=COUNT] [K=COUNT] [--reps R] [--gclab BIN] [--engine NAME]\n" % msg)
    sys.exit(2)


def sized_script(n, k):
    src = open(SCRIPT).read()
    for key, v in (("N", n), ("K", k)):
        src, c = re.subn(r"^%s = \d+$" % key, "%s = %d" % (key, v), src, flags=re.M)
        if c != 1:
            usage("%s: no single '%s = N' line to set" % (SCRIPT, key))
    return src


def median(xs):
    xs = sorted(xs)
    return xs[(len(xs) - 1) // 2] if xs else 0.0


def child(path):
    """Run the sized script in this process, timing every collection."""
    pauses, cpu, state = [], [0], {}

    def cb(phase, info):
        if phase == "start":
            state["t"] = time.perf_counter_ns()
            state["c"] = time.thread_time_ns()
        else:
            pauses.append(time.perf_counter_ns() - state["t"])
            cpu[0] += time.thread_time_ns() - state["c"]

    buf = io.StringIO()
    g = {"__name__": "__main__", "print": lambda *a: buf.write(" ".join(map(str, a)) + "\n")}
    code = compile(open(path).read(), path, "exec")
    gc.callbacks.append(cb)
    exec(code, g)
    gc.callbacks.remove(cb)
    out = buf.getvalue().split()
    print(json.dumps({"objects": int(out[0]), "items": int(out[1]), "pauses_ns": pauses, "gc_cpu_ns": cpu[0]}))
    return 0


def run_cpython(path, n, k):
    p = subprocess.run([sys.executable, "-S", os.path.abspath(__file__), "--child", path],
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("cpython_fullgc: CPython run failed:\n" + p.stderr)
    r = json.loads(p.stdout.splitlines()[-1])
    if r["items"] != n or len(r["pauses_ns"]) != k:
        sys.exit("cpython_fullgc: CPython: %d items, %d collections (want %d, %d)"
                 % (r["items"], len(r["pauses_ns"]), n, k))
    return r["objects"], median(r["pauses_ns"]), max(r["pauses_ns"]), r["gc_cpu_ns"] / k


def run_gclab(gclab, engine, path, n, k):
    p = subprocess.run([gclab, "script", path, "-e", engine, "--json"], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("cpython_fullgc: gclab run failed:\n" + p.stderr)
    lines = p.stdout.splitlines()
    rec = json.loads(lines[-1])
    objects, items = int(lines[0]), int(lines[1])
    ps = rec["pauses"]
    if items != n or ps["count"] != k:
        sys.exit("cpython_fullgc: gclab: %d items, %d collections (want %d, %d)"
                 % (items, ps["count"], n, k))
    return objects, ps["p50_s"] * 1e9, ps["max_s"] * 1e9, rec["gc_cpu_s"] * 1e9 / k


def main(argv):
    if argv[:1] == ["--child"] and len(argv) == 2:
        return child(argv[1])
    n, k, reps, gclab, engine = 200000, 20, 5, os.path.join(ROOT, "build", "gclab"), "rcgen"
    it = iter(argv)
    for a in it:
        if a in ("--reps", "--gclab", "--engine"):
            v = next(it, None)
            if v is None:
                usage("%s needs a value" % a)
            if a == "--reps":
                if not v.isdigit() or int(v) < 1:
                    usage("--reps needs a count >= 1")
                reps = int(v)
            elif a == "--gclab":
                gclab = v
            else:
                engine = v
        elif re.fullmatch(r"[NK]=[1-9]\d*", a):
            if a[0] == "N":
                n = int(a[2:])
            else:
                k = int(a[2:])
        else:
            usage("bad argument '%s'" % a)
    if not os.access(gclab, os.X_OK):
        usage("%s: not an executable (make all builds build/gclab)" % gclab)
    fd, path = tempfile.mkstemp(suffix=".py", prefix="fullgc-")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(sized_script(n, k))
        per = {"cpython": [], engine: []}
        cpu = {"cpython": [], engine: []}
        print("rep side objects median_pause_us max_pause_us ns/object(wall) ns/object(cpu)")
        for r in range(reps):
            sides = ["cpython", engine] if r % 2 == 0 else [engine, "cpython"]
            for s in sides:
                if s == "cpython":
                    objs, med, mx, c = run_cpython(path, n, k)
                else:
                    objs, med, mx, c = run_gclab(gclab, engine, path, n, k)
                per[s].append(med / objs)
                cpu[s].append(c / objs)
                print("%d %s %d %.1f %.1f %.2f %.2f" % (r, s, objs, med / 1e3, mx / 1e3, med / objs, c / objs))
        for what, d in (("wall (median pause)", per), ("cpu (mean per collection)", cpu)):
            c, g = median(d["cpython"]), median(d[engine])
            print("median ns/object per full collection, %s: cpython-%d.%d %.2f, %s %.2f, ratio %s/cpython %.3f"
                  % (what, sys.version_info[0], sys.version_info[1], c, engine, g, engine, g / c))
    finally:
        os.unlink(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
