#!/usr/bin/env python3
"""cpython_gc.py — CPython's collectors side by side, as engine
configurations (an engine and its -p rules=...), on the workloads of
bench/matrices/cpython-gc.conf: the numbers a CPython core developer
weighing the 3.14 incremental collector (and PEP 848) would ask for.

    MPLBACKEND=Agg /usr/bin/python3 scripts/cpython_gc.py [--conf FILE] [--out DIR] [--reps N]

The matrix runner (scripts/matrix.sh) names engines, not configurations of
one engine; this runner reads the same .conf format plus `config = NAME
[-p k=v ...]` lines (one per configuration, in order) and ignores the keys
it does not need. Per workload point and repetition it runs every
configuration in an order rotated by repetition (drift hits all alike), each
a timed, untraced run (`gclab run --json`); then one traced run per point and
configuration (`--trace --trace-every N`; a workload line's trace_every=N
overrides the default for that point; trace_every=0: no traced run, no
garbage figures), never timed, which walks the heap
at every sample for the garbage figures (unreachable, not yet freed). It
writes DIR/records.jsonl (timed records, then traced ones with
"traced": true), DIR/traces/*.txt, DIR/garbage.png and DIR/report.md: per
point and configuration the medians of max pause, p99 pause, total GC time
and wall time, the median peak heap, and the traced run's garbage peak and
mean.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def parse_conf(path):
    conf = {"configs": [], "workloads": [], "repetitions": 3, "trace_every": 20000, "timeout": 900}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("config "):
                conf["configs"].append(shlex.split(line[len("config "):]))
            elif line.startswith("workload "):
                w = line.split()
                every = [kv for kv in w[2:] if kv.startswith("trace_every=")]
                conf["workloads"].append((w[1], [kv for kv in w[2:] if kv not in every],
                                          int(every[0].split("=")[1]) if every else None))
            elif "=" in line:
                k, v = [x.strip() for x in line.split("=", 1)]
                if k in ("repetitions", "trace_every", "timeout"):
                    conf[k] = int(v)
            else:
                sys.exit("%s:%d: not a setting: %s" % (path, n, line))
    if not conf["configs"] or not conf["workloads"]:
        sys.exit("%s: needs config and workload lines" % path)
    return conf


def label(cfg):
    """rcinc -p rules=3.14.2 -> 'rcinc rules=3.14.2'."""
    out, i = [cfg[0]], 1
    while i < len(cfg):
        if cfg[i] == "-p" and i + 1 < len(cfg):
            out.append(cfg[i + 1])
            i += 2
        else:
            out.append(cfg[i])
            i += 1
    return " ".join(out)


def run(gclab, cfg, wl, params, extra, timeout):
    cmd = [gclab, "run", "-e", cfg[0], *cfg[1:], "-w", wl]
    for kv in params:
        cmd += ["-p", kv]
    cmd += extra
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise SystemExit("%s: exit %d: %s" % (shlex.join(cmd), p.returncode, p.stderr[:400]))
    return json.loads(p.stdout)


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def mib(b):
    return "%.1f" % (b / 2**20)


def ms(s):
    return "%.2f" % (s * 1e3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--conf", default=os.path.join(HERE, "..", "bench", "matrices", "cpython-gc.conf"))
    ap.add_argument("--out", default=None)
    ap.add_argument("--reps", type=int, default=None)
    ap.add_argument("--gclab", default=os.path.join(HERE, "..", "build", "gclab"))
    a = ap.parse_args()
    conf = parse_conf(a.conf)
    reps = a.reps or conf["repetitions"]
    d = a.out or os.path.join(HERE, "..", "results", "cpython-gc-" + time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()))
    os.makedirs(os.path.join(d, "traces"), exist_ok=True)
    labels = [label(c) for c in conf["configs"]]
    recs = []
    with open(os.path.join(d, "records.jsonl.tmp"), "w") as out:
        for wl, params, every in conf["workloads"]:
            point = " ".join([wl] + params)
            for rep in range(reps):
                k = len(conf["configs"])
                for i in range(k):
                    c = conf["configs"][(i + rep) % k]
                    r = run(a.gclab, c, wl, params, ["--json", "--repetition", str(rep)], conf["timeout"])
                    r.update(point=point, config=label(c), traced=False)
                    recs.append(r)
                    out.write(json.dumps(r) + "\n")
                    print("%-40s %-24s rep %d: wall %.3f s, max pause %s ms, peak heap %s MiB"
                          % (point, label(c), rep, r["wall_s"], ms(r["pauses"]["max_s"]), mib(r["peak_heap_bytes"])),
                          flush=True)
            for c in conf["configs"] if (every if every is not None else conf["trace_every"]) else []:
                key = point.replace(" ", ".")
                tr = os.path.join(d, "traces", "%s.%s.txt" % (key, label(c).replace(" ", "_")))
                r = run(a.gclab, c, wl, params, ["--json", "--trace", tr, "--trace-every", str(every or conf["trace_every"])],
                        conf["timeout"])
                r.update(point=point, config=label(c), traced=True)
                recs.append(r)
                out.write(json.dumps(r) + "\n")
    os.replace(os.path.join(d, "records.jsonl.tmp"), os.path.join(d, "records.jsonl"))
    report(d, recs, labels, conf, reps)


def report(d, recs, labels, conf, reps):
    points = list(dict.fromkeys(r["point"] for r in recs))
    lines = ["# CPython's collectors on the same heap: rcgen (3.11) vs rcinc (3.14.0, 3.14.2)", "",
             "Medians of %d repetitions (configurations rotated per repetition) of timed, untraced runs; "
             "garbage (unreachable, not yet freed) from one traced run per point and configuration "
             "(`--trace-every %d` unless the point says otherwise: a heap walk at every sample, so never timed). Peak heap is "
             "`peak_heap_bytes` (bytes held from the OS by the allocator)." % (reps, conf["trace_every"]), "",
             "| workload | configuration | max pause ms | p99 pause ms | GC time s | wall s | peak heap MiB | "
             "garbage peak MiB | garbage mean MiB | collections |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for p in points:
        for lab in labels:
            t = [r for r in recs if r["point"] == p and r["config"] == lab and not r["traced"]]
            g = [r for r in recs if r["point"] == p and r["config"] == lab and r["traced"]]
            if not t:
                continue
            gp = mib(g[0]["garbage_peak_bytes"]) if g and "garbage_peak_bytes" in g[0] else "-"
            gm = mib(g[0]["garbage_mean_bytes"]) if g and "garbage_mean_bytes" in g[0] else "-"
            lines.append("| %s | %s | %s | %s | %.3f | %.3f | %s | %s | %s | %s |" % (
                p, lab, ms(median([r["pauses"]["max_s"] for r in t])), ms(median([r["pauses"]["p99_s"] for r in t])),
                median([r["gc_s"] for r in t]), median([r["wall_s"] for r in t]),
                mib(median([r["peak_heap_bytes"] for r in t])), gp, gm, t[0]["collections"]))
    lines += ["", "![live and garbage bytes over time](garbage.png)", ""]
    try:
        import matplotlib
        matplotlib.use("Agg")
        import plot
        keys = {p: p.replace(" ", ".") for p in points}
        plot.plot_garbage(d, [lab.replace(" ", "_") for lab in labels], points, keys)
    except Exception as e:  # a report without its plot still says why
        lines.append("(garbage.png not drawn: %s)" % e)
    with open(os.path.join(d, "report.md.tmp"), "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(os.path.join(d, "report.md.tmp"), os.path.join(d, "report.md"))
    print("cpython_gc: wrote %s/report.md, records.jsonl, garbage.png" % d)


if __name__ == "__main__":
    main()
