#!/usr/bin/python3
"""plot.py — PNGs and report.md from a results directory of scripts/matrix.py.

    MPLBACKEND=Agg /usr/bin/python3 scripts/plot.py RESULTS_DIR
    MPLBACKEND=Agg /usr/bin/python3 scripts/plot.py --compare A B [--out DIR]

Reads DIR/records.jsonl (one record per run), DIR/pauses/*.txt (every pause
of every run), DIR/traces/*.txt (heap over time) and DIR/hyperfine/*.json
if present, and writes into DIR: time.png, pauses_cdf.png, mmu.png, heap.png, garbage.png,
collections.png, heap_factor.png, leaks.png and report.md. A plot with
nothing to show (no pauses, no heap engine) is still written, saying so.

Input. Every file is read and checked before any output is written: a record
that is not JSON, not UTF-8, not an object, or a completed run lacking
wall_s / pauses (or with a wrong type), a pause or trace file line that is not
numbers, is "plot: FILE:LINE: why" and exit 2, nothing written. Blank lines
are skipped; a last line without its newline that does not parse (a run
cut short while writing) is skipped with a warning. Records of more than one
commit are refused unless --mix-commits pools them (the report says so).
Outputs are written by temp file and rename over regular files only
(scripts/outfile.py), all of them after every figure has been drawn.

Statistics. Each cell (workload point x engine x heap factor) has one wall
time per repetition. Its centre is the median; its 95% interval is a
percentile bootstrap of the median (2000 resamples, fixed seed), so with 3
repetitions it is about [min, max]. Times normalized to nogc are the ratio of
medians with a bootstrap interval of that ratio; ratio - 1 is the lower-bound
overhead (LBO). --compare flags a cell as significant when a two-sided
Mann-Whitney U test (scipy, else an exact permutation test) gives p < 0.05;
with 3 + 3 repetitions the smallest possible p is 0.1, so the flag needs at
least 4 repetitions on each side, and the report says so.
"""
import argparse
import datetime
import glob
import itertools
import json
import math
import os
import re
import sys
import textwrap

import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import outfile  # noqa: E402  (scripts/outfile.py: the result-file rule)

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

try:
    from scipy import stats as sstats
except ImportError:  # numpy fallback below
    sstats = None

BASE_COLORS = {"nogc": "#7f7f7f", "rc": "#1f77b4", "rcgen": "#ff7f0e",
               "marksweep": "#2ca02c", "bdw": "#d62728", "rcinc": "#9467bd", "incms": "#8c564b",
               "genms": "#e377c2", "rcbr": "#17becf"}
SPARE_COLORS = ["#bcbd22", "#000000", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd"]
ENGINE_ORDER = ["nogc", "rc", "rcgen", "rcinc", "rcbr", "marksweep", "incms", "genms", "bdw"]
RNG_SEED = 12345
BOOT = 2000


def engine_color(e, engines=None):
    """The same color for an engine in every plot and every results dir: a
    fixed one for the known engines, else one chosen by a hash of the name
    alone (never by which other engines a directory holds)."""
    if e in BASE_COLORS:
        return BASE_COLORS[e]
    return SPARE_COLORS[zlib.crc32(e.encode()) % len(SPARE_COLORS)]


class BadInput(Exception):
    """Input the plotter refuses: "FILE:LINE: why"; exit 2, nothing written."""


def read_lines(path):
    """[(number, text)] of a file that must be UTF-8; blank lines dropped.
    The last line's text ends without "\n" when the file was cut short."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise BadInput("%s: cannot read: %s" % (path, e.strerror))
    out = []
    for n, raw in enumerate(data.split(b"\n"), 1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise BadInput("%s:%d: not UTF-8 text (byte %d)" % (path, n, e.start + 1))
        if text.strip():
            out.append((n, text))
    return out, not data.endswith(b"\n")


def sort_engines(engines):
    return sorted(set(engines), key=lambda e: (ENGINE_ORDER.index(e) if e in ENGINE_ORDER else 99, e))


def point_label(r):
    ps = " ".join("%s=%s" % kv for kv in r["params"].items())
    return r["workload"] + (" " + ps if ps else "")


NUM = (int, float)


def check_record(path, n, r):
    """Why record r (line n) cannot be plotted, raised as BadInput."""
    where = "%s:%d" % (path, n)
    if not isinstance(r, dict):
        raise BadInput("%s: a record is a JSON object, not %s" % (where, type(r).__name__))
    for k in ("engine", "workload"):
        if not isinstance(r.get(k), str) or not r.get(k):
            raise BadInput("%s: record lacks '%s' (a string)" % (where, k))
    if not isinstance(r.get("params", {}), dict):
        raise BadInput("%s: 'params' is not an object" % where)
    if r.get("failed"):
        return
    need = {"wall_s": NUM, "pauses": dict}
    opt = {"gc_s": NUM, "cpu_s": NUM, "gc_cpu_s": NUM, "mmu": dict, "bmu": dict, "collections": list,
           "leaked": NUM, "leaked_bytes": NUM, "peak_live_bytes": NUM, "peak_heap_bytes": NUM,
           "peak_rss_bytes": NUM, "machine": dict}
    for k, t in list(need.items()) + list(opt.items()):
        if k not in r:
            if k in need:
                raise BadInput("%s: a completed run's record lacks '%s' (a failed one says \"failed\": true)"
                               % (where, k))
            continue
        v = r[k]
        if not isinstance(v, t) or isinstance(v, bool):
            raise BadInput("%s: '%s' is %s, not %s" % (where, k, json.dumps(v)[:40],
                                                        "a number" if t is NUM else t.__name__))
    for k in ("mmu", "bmu"):
        for w, v in r.get(k, {}).items():
            if not re.match(r"^[0-9.]+ms$", w) or not isinstance(v, NUM):
                raise BadInput("%s: '%s' holds %s: %s" % (where, k, w, json.dumps(v)[:40]))
    if not all(isinstance(c, NUM) for c in r.get("collections", [])):
        raise BadInput("%s: 'collections' holds a non-number" % where)
    for k, v in r["pauses"].items():
        if not isinstance(v, NUM):
            raise BadInput("%s: 'pauses' holds %s: %s" % (where, k, json.dumps(v)[:40]))


def load(d, mix_commits=False):
    path = os.path.join(d, "records.jsonl")
    if not os.path.exists(path):
        raise BadInput("%s: no records.jsonl (run scripts/matrix.py first)" % d)
    rows = []
    lines, cut = read_lines(path)
    for i, (n, line) in enumerate(lines):
        try:
            r = json.loads(line)
        except ValueError as e:
            if cut and i == len(lines) - 1:
                print("plot: %s:%d: the last line is cut short (a run still writing?): skipped" % (path, n),
                      file=sys.stderr)
                continue
            raise BadInput("%s:%d: not JSON: %s" % (path, n, e))
        check_record(path, n, r)
        rows.append({
            "job": r.get("job"), "engine": r["engine"], "workload": r["workload"],
            "point": point_label(r), "hf": r.get("heap_factor"),
            "rep": r.get("repetition", 0), "failed": bool(r.get("failed")),
            "calib": bool(r.get("calibration")),
            "error": r.get("error", ""), "wall_s": r.get("wall_s", np.nan),
            "gc_s": r.get("gc_s", np.nan), "pauses": r.get("pauses", {}),
            "cpu_s": r.get("cpu_s", np.nan), "gc_cpu_s": r.get("gc_cpu_s", np.nan),
            "mmu": r.get("mmu", {}), "bmu": r.get("bmu", {}),
            "collections": r.get("collections", []), "leaked": r.get("leaked", np.nan),
            "leaked_bytes": r.get("leaked_bytes", np.nan),
            "peak_live": r.get("peak_live_bytes", np.nan),
            "peak_heap": r.get("peak_heap_bytes", np.nan),
            "peak_rss": r.get("peak_rss_bytes", np.nan),
            "min_heap": r.get("min_heap_bytes"), "machine": r.get("machine", {}),
            "commit": str(r.get("commit", "?")), "compiler": str(r.get("compiler", "?")),
        })
    if not rows:
        raise BadInput("%s has no records" % path)
    commits = {}
    for r in rows:
        if r["commit"] != "?":
            commits[r["commit"]] = commits.get(r["commit"], 0) + 1
    if len(commits) > 1 and not mix_commits:
        raise BadInput("%s: records of %d commits (%s): their medians would pool builds; plot one commit's "
                       "records, or pass --mix-commits to pool them anyway" % (
                           path, len(commits), ", ".join("%s: %d" % kv for kv in sorted(commits.items()))))
    df = pd.DataFrame(rows)
    df["hf"] = pd.to_numeric(df["hf"], errors="coerce")
    # A failed run's record names only the matrix's params, a completed one
    # every param with its default; a calibration program spells them its own
    # way: give both the point of their job's gclab runs.
    ok_point = df[~df["failed"] & ~df["calib"] & df["job"].notna()].groupby("job")["point"].first()
    fj = (df["failed"] | df["calib"]) & df["job"].isin(ok_point.index)
    df.loc[fj, "point"] = df.loc[fj, "job"].map(ok_point)
    return df


def boot_median_ci(x, rng):
    x = np.asarray(x, float)
    if len(x) == 0:
        return (np.nan, np.nan, np.nan)
    m = float(np.median(x))
    if len(x) == 1:
        return (m, m, m)
    s = np.median(rng.choice(x, (BOOT, len(x))), axis=1)
    return (m, float(np.percentile(s, 2.5)), float(np.percentile(s, 97.5)))


def boot_ratio_ci(x, y, rng):
    """Median(x)/median(y) with a bootstrap 95% interval."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    r = float(np.median(x) / np.median(y))
    if len(x) == 1 and len(y) == 1:
        return (r, r, r)
    sx = np.median(rng.choice(x, (BOOT, len(x))), axis=1)
    sy = np.median(rng.choice(y, (BOOT, len(y))), axis=1)
    s = sx / sy
    return (r, float(np.percentile(s, 2.5)), float(np.percentile(s, 97.5)))


def ok_unlimited(df):
    return df[(~df["failed"]) & (df["hf"].isna())]


def placeholder(ax, text):
    ax.text(0.5, 0.5, textwrap.fill(text, 70), ha="center", va="center", transform=ax.transAxes,
            fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])


def grid_axes(n, title, w=5.0, h=3.6):
    cols = min(n, 3) or 1
    rows = max(1, math.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(w * cols, h * rows), squeeze=False)
    fig.suptitle(title)
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat


PENDING = []   # (path, bytes): written together once every figure is drawn


def save(fig, d, name):
    import io
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    PENDING.append((os.path.join(d, name), buf.getvalue()))


def write_pending():
    for path, data in PENDING:
        def w(tmp, data=data):
            with open(tmp, "wb") as f:
                f.write(data)
        outfile.write_with(path, w)
    PENDING.clear()


# ---------------------------------------------------------------- plots

def plot_time(df, d, engines, points, rng):
    """Horizontal bars, one group per workload point, so long parameter
    lists stay readable however many points a matrix has."""
    ok = ok_unlimited(df)
    has_nogc = "nogc" in set(ok["engine"])
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.22 * len(points) * max(1, len(engines))))
    height = 0.8 / max(1, len(engines))
    for i, e in enumerate(engines):
        ys, xs, lo, hi = [], [], [], []
        for j, p in enumerate(points):
            x = ok[(ok.engine == e) & (ok.point == p)]["wall_s"].values
            if len(x) == 0:
                continue
            if has_nogc:
                base = ok[(ok.engine == "nogc") & (ok.point == p)]["wall_s"].values
                if len(base) == 0:
                    continue
                m, l, h = boot_ratio_ci(x, base, rng)
            else:
                m, l, h = boot_median_ci(x, rng)
            ys.append(j + (i - (len(engines) - 1) / 2) * height)
            xs.append(m)
            lo.append(m - l)
            hi.append(h - m)
        ax.barh(ys, xs, height, xerr=[lo, hi], capsize=2, label=e, color=engine_color(e, engines))
    ax.set_yticks(range(len(points)))
    ax.set_yticklabels([textwrap.fill(p, 40) for p in points], fontsize=7)
    ax.invert_yaxis()
    if has_nogc:
        ax.axvline(1.0, color="black", lw=0.8, ls="--")
        ax.set_xlabel("wall time / nogc wall time (ratio of medians)")
        ax.set_title("Time per workload, normalized to nogc\n(bars: ratio of medians; whiskers: 95% bootstrap CI)")
    else:
        ax.set_xlabel("wall time (s, median)")
        ax.set_title("Time per workload (median, 95% bootstrap CI)")
    ax.set_ylabel("workload and parameters")
    ax.legend(fontsize=8, loc="lower right")
    save(fig, d, "time.png")


TABLES = {}   # path -> (header line, every row as floats), filled by check_tables()


def parse_table(path, min_cols, word_col=None):
    """A whitespace table whose comment lines start with '#': every other line
    at least min_cols finite numbers (column word_col may be a word: a
    trace's event), else BadInput naming the line."""
    lines, _ = read_lines(path)
    head, rows = "", []
    for n, line in lines:
        if line.startswith("#"):
            head = head or line
            continue
        w = line.split()
        vals = []
        for k, x in enumerate(w):
            try:
                v = float(x)
            except ValueError:
                v = float("nan") if k == word_col and re.match(r"^[a-z]+$", x) else None
            if v is None or (math.isinf(v) or (v != v and k != word_col)):
                raise BadInput("%s:%d: expected numbers, got '%s'" % (path, n, line.strip()[:80]))
            vals.append(v)
        if len(vals) < min_cols:
            raise BadInput("%s:%d: expected at least %d columns, got %d: '%s'" % (path, n, min_cols, len(vals),
                                                                               line.strip()[:80]))
        rows.append(vals)
    TABLES[path] = (head, rows)


def check_tables(d):
    """Read every pause and trace file now, before anything is drawn."""
    for f in sorted(glob.glob(os.path.join(d, "pauses", "*.txt"))):
        parse_table(f, 3)
    for f in sorted(glob.glob(os.path.join(d, "traces", "*.txt"))):
        parse_table(f, 7, word_col=1)


def table_head(path):
    if path not in TABLES:
        parse_table(path, 1, word_col=1)
    return TABLES[path][0]


def read_table(path, cols):
    """Numeric columns cols of a table (checked by parse_table); a row too
    short for cols (a trace from before the garbage columns) raises IndexError."""
    if path not in TABLES:
        parse_table(path, 1, word_col=1)
    rows = [[r[c] for c in cols] for r in TABLES[path][1]]
    return np.array(rows, float).reshape(-1, len(cols))


def read_pauses(d):
    """{engine: array of pause durations in seconds} from unlimited runs."""
    out = {}
    for f in sorted(glob.glob(os.path.join(d, "pauses", "*.txt"))):
        head = table_head(f)
        eng = next((w.split("=", 1)[1].rstrip(";") for w in head.split() if w.startswith("engine=")), None)
        if eng is None or "@" in os.path.basename(f):
            continue
        out.setdefault(eng, []).extend(read_table(f, [1])[:, 0].tolist())
    return {e: np.array(v) for e, v in out.items()}


def plot_pauses(d, engines):
    pauses = read_pauses(d)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    any_pause = False
    for e in engines:
        v = np.sort(pauses.get(e, np.array([])))
        if len(v) == 0:
            continue
        any_pause = True
        y = np.arange(1, len(v) + 1) / len(v)
        ax.step(np.maximum(v * 1e3, 1e-6), y, where="post", label="%s (%d pauses)" % (e, len(v)),
                color=engine_color(e, engines))
    ax.set_title("Pause time distribution per engine (all workloads, unlimited heap)")
    if any_pause:
        ax.set_xscale("log")
        ax.set_xlabel("pause duration (ms, log scale)")
        ax.set_ylabel("fraction of pauses at most this long")
        ax.legend(fontsize=8)
    else:
        placeholder(ax, "No engine recorded a pause: %s never stop the mutator to collect "
                    "(rc frees at count zero, as mutator time)." % ", ".join(engines))
    save(fig, d, "pauses_cdf.png")
    return [e for e in engines if len(pauses.get(e, [])) == 0]


def plot_mmu(df, d, engines, points):
    ok = ok_unlimited(df)
    fig, axes = grid_axes(len(points), "Minimum (solid) and bounded (dashed) mutator utilization, "
                          "median over repetitions")
    for ax, p in zip(axes, points):
        for e in engines:
            rs = ok[(ok.engine == e) & (ok.point == p)]
            if rs.empty:
                continue
            keys = list(rs.iloc[0]["mmu"].keys())
            ws = [float(k[:-2]) for k in keys]
            mm = [np.median([r[k] for r in rs["mmu"]]) for k in keys]
            bm = [np.median([r.get(k, np.nan) for r in rs["bmu"]]) for k in keys]
            c = engine_color(e, engines)
            ax.plot(ws, mm, "o-", color=c, label=e, ms=3)
            ax.plot(ws, bm, "--", color=c, lw=1)
        ax.set_xscale("log")
        ax.set_ylim(-0.03, 1.03)
        ax.set_title(p, fontsize=9)
        ax.set_xlabel("window (ms, log scale)")
        ax.set_ylabel("utilization (fraction of window)")
        ax.legend(fontsize=7)
    save(fig, d, "mmu.png")


def trace_keys(df):
    """{point label: trace file key}: the runner names a trace after the job
    without its repetition (the matrix's own parameters, in matrix order),
    which need not match the label built from every parameter."""
    keys = {}
    for p, job in zip(df["point"], df["job"]):
        if isinstance(job, str) and p not in keys:
            keys[p] = re.sub(r"\.r[0-9]+$", "", job)
    return keys


def plot_heap(d, engines, points, keys=None):
    keys = keys or {}
    fig, axes = grid_axes(len(points), "Heap over time (traced run per engine): live bytes (solid), "
                          "heap bytes from the OS (dotted); log axis, so nogc's growth leaves the "
                          "collectors readable")
    any_trace = False
    for ax, p in zip(axes, points):
        key = keys.get(p, p.replace(" ", "."))
        drawn = False
        for e in engines:
            f = os.path.join(d, "traces", "%s.%s.txt" % (key, e))
            if not os.path.exists(f):
                continue
            a = read_table(f, [0, 3, 4, 5, 6])
            if a.size == 0:
                continue
            drawn = any_trace = True
            c = engine_color(e, engines)
            # 1 KiB floor: an empty heap has no place on a log axis
            ax.plot(a[:, 0] * 1e3, np.maximum(a[:, 3], 1024) / 2**20, "-", color=c, label=e)
            ax.plot(a[:, 0] * 1e3, np.maximum(a[:, 4], 1024) / 2**20, ":", color=c)
        ax.set_title(p, fontsize=9)
        if drawn:
            ax.set_yscale("log")
            ax.set_xlabel("time since the measured window began (ms)")
            ax.set_ylabel("MiB (log scale)")
            ax.legend(fontsize=7)
        else:
            placeholder(ax, "no trace (trace_every = 0?)")
    save(fig, d, "heap.png")
    return any_trace


def plot_garbage(d, engines, points, keys=None):
    """Live bytes (solid) and garbage bytes (dashed: unreachable, not yet
    freed, from core/garbage.c's walk at each sample) against allocations
    (the clock a traced run keeps exactly: its wall time includes the walks),
    per engine, from the traced runs; traces written before the garbage
    columns existed are skipped. Returns whether anything was drawn."""
    keys = keys or {}
    fig, axes = grid_axes(len(points), "Memory over time (traced run per engine): bytes allocated and not "
                          "yet freed (solid), of which garbage: unreachable (dashed)")
    any_trace = False
    for ax, p in zip(axes, points):
        key = keys.get(p, p.replace(" ", "."))
        drawn = False
        for e in engines:
            f = os.path.join(d, "traces", "%s.%s.txt" % (key, e))
            if not os.path.exists(f):
                continue
            try:
                a = read_table(f, [3, 5, 8])
            except (IndexError, ValueError):
                continue
            if a.size == 0:
                continue
            drawn = any_trace = True
            c = engine_color(e, engines)
            ax.plot(a[:, 0] / 1e6, a[:, 1] / 2**20, "-", color=c, label=e)
            ax.plot(a[:, 0] / 1e6, a[:, 2] / 2**20, "--", color=c)
        ax.set_title(p, fontsize=9)
        if drawn:
            ax.set_xlabel("allocations (millions)")
            ax.set_ylabel("MiB")
            ax.legend(fontsize=7)
        else:
            placeholder(ax, "no trace with garbage columns")
    save(fig, d, "garbage.png")
    return any_trace


def plot_collections(df, d, engines, points):
    ok = ok_unlimited(df)
    fig, axes = grid_axes(len(points), "Collections per generation (median over repetitions)")
    total = 0
    for ax, p in zip(axes, points):
        es = [e for e in engines if not ok[(ok.engine == e) & (ok.point == p)].empty]
        bottom = np.zeros(len(es))
        ngen = max([len(c) for c in ok[ok.point == p]["collections"]] + [1])
        hatches = ["", "//", "xx"]
        for g in range(ngen):
            h = np.array([np.median([c[g] if g < len(c) else 0 for c in
                                     ok[(ok.engine == e) & (ok.point == p)]["collections"]]) for e in es])
            total += h.sum()
            ax.bar(range(len(es)), h, bottom=bottom, color=[engine_color(e, engines) for e in es],
                   hatch=hatches[g % 3], edgecolor="black", lw=0.5, label="generation %d" % g)
            bottom += h
        ax.set_xticks(range(len(es)))
        ax.set_xticklabels(es)
        ax.set_title(p, fontsize=9)
        ax.set_xlabel("engine")
        ax.set_ylabel("collections (count)")
        ax.set_ylim(bottom=0, top=max(1.0, ax.get_ylim()[1]))
        if bottom.sum() == 0:
            ax.text(0.5, 0.5, "no collections", ha="center", transform=ax.transAxes)
        elif ngen > 1:
            from matplotlib.patches import Patch
            ax.legend(handles=[Patch(facecolor="white", edgecolor="black", hatch=hatches[g % 3],
                                     label="generation %d" % g) for g in range(ngen)], fontsize=7)
    save(fig, d, "collections.png")
    return total


def plot_heap_factor(df, d, engines, points, rng):
    """The time-space curve: total and GC CPU time against the fixed heap size
    (--heap-size, as a multiple of the point's minimum heap), log y; sizes at
    which every run failed are marked x on the axis floor."""
    hdf = df[df["hf"].notna()]
    heap_engines = sort_engines(hdf["engine"]) if not hdf.empty else []
    if not heap_engines:
        fig, ax = plt.subplots(figsize=(7, 4))
        ax.set_title("Time vs heap size")
        placeholder(ax, "No engine in this matrix ran with a fixed heap: heap factors apply to "
                    "engines whose collector traces (caps: collects_cycles, no refcounts), "
                    "or to those named by heap_engines.")
        save(fig, d, "heap_factor.png")
        return []
    # CPU seconds when the records have them (robust on a shared machine), else wall
    cpu = "cpu_s" if hdf["cpu_s"].notna().any() else "wall_s"
    gcc = "gc_cpu_s" if hdf["gc_cpu_s"].notna().any() else "gc_s"
    fig, axes = grid_axes(len(points), "Time vs heap size: total (o-) and GC (s--) %s, median "
                          "and 95%% bootstrap CI; x = failed at that size" % ("CPU" if cpu == "cpu_s" else "wall"))
    for ax, p in zip(axes, points):
        floor, fails = [], []
        for e in heap_engines:
            rs = hdf[(hdf.engine == e) & (hdf.point == p)]
            c = engine_color(e, engines)
            bad = [f for f in sorted(rs["hf"].unique()) if rs[(rs.hf == f) & (~rs.failed)].empty]
            for col, fmt, lab in ((cpu, "o-", e), (gcc, "s--", e + " GC")):
                xs, ys, lo, hi = [], [], [], []
                for f in sorted(rs["hf"].unique()):
                    x = rs[(rs.hf == f) & (~rs.failed)][col].dropna().values
                    if len(x) == 0:
                        continue
                    m, l, h = boot_median_ci(x, rng)
                    xs.append(f); ys.append(max(m, 1e-6)); lo.append(m - l); hi.append(h - m)
                    floor.append(max(l, 1e-6))
                if xs:
                    ax.errorbar(xs, ys, yerr=[lo, hi], fmt=fmt, color=c, label=lab, capsize=3, ms=4)
            if bad:
                fails.append((e, c, bad))
        y0 = min(floor) / 2 if floor else 1.0
        for e, c, bad in fails:
            ax.plot(bad, [y0] * len(bad), "x", color=c, ms=9, label=e + " failed")
        if floor:
            ax.set_yscale("log")
            ax.set_ylim(bottom=y0 / 1.5)
        ax.set_title(p, fontsize=9)
        ax.set_xlabel("heap size (x minimum heap, --heap-size)")
        ax.set_ylabel("seconds (log)")
        ax.legend(fontsize=6)
    save(fig, d, "heap_factor.png")
    return heap_engines


def plot_leaks(df, d, engines, points):
    """Horizontal bars like time.png: readable with long parameter lists."""
    ok = ok_unlimited(df)
    es = [e for e in engines if e != "nogc"]
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.22 * len(points) * max(1, len(es))))
    height = 0.8 / max(1, len(es))
    for i, e in enumerate(es):
        xs = [np.median(ok[(ok.engine == e) & (ok.point == p)]["leaked"].values)
              if not ok[(ok.engine == e) & (ok.point == p)].empty else 0 for p in points]
        ys = [j + (i - (len(es) - 1) / 2) * height for j in range(len(points))]
        bars = ax.barh(ys, xs, height, label=e, color=engine_color(e, engines))
        ax.bar_label(bars, labels=["%d" % x for x in xs], fontsize=6, padding=2)
    ax.set_yticks(range(len(points)))
    ax.set_yticklabels([textwrap.fill(p, 40) for p in points], fontsize=7)
    ax.invert_yaxis()
    ax.set_ylabel("workload and parameters")
    ax.set_xlabel("leaked objects (count)")
    ax.set_xlim(left=0, right=max(1.0, ax.get_xlim()[1]) * 1.15)
    ax.set_title("Leaks per workload: objects left after dropping every root and a full collection\n"
                 "(nogc leaks everything by design and is left out)")
    ax.legend(fontsize=8, loc="lower right")
    save(fig, d, "leaks.png")


# ---------------------------------------------------------------- report

def fmt_s(x):
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else "%.4g" % x


def calibration_lines(df, cal, engines, points):
    """The plain-C calibration table (matrix `calibrate = yes`): per point,
    the C programs' medians and each engine's against them."""
    cal = cal[~cal["failed"]]
    if cal.empty:
        return []
    ok = ok_unlimited(df)
    med = lambda rs, k: float(np.median(rs[k])) if len(rs) else math.nan  # noqa: E731
    ncol = lambda rs: float(np.median([sum(c) for c in rs["collections"]])) if len(rs) else math.nan  # noqa: E731
    lines = ["", "## Plain-C calibration (medians)", "",
             "The same program written directly in C, run in the same jobs: `c-malloc` (malloc and free, no "
             "collector), `c-bdw` (libgc), `c-mark` (the traversal graph marked in C). `cpu x C` is a run's CPU "
             "time over the first C program's (what gclab's object model and collector cost over the machine); "
             "`GC x C` its GC CPU time over the C collector's (c-bdw or c-mark) in the same point. c-mark times the "
             "marking alone (no graph building), so read `traversal` by its GC columns: the mark rate.", "",
             "| workload | run | cpu s | cpu x C | GC cpu s | GC x C | collections | GC ms per collection |",
             "|" + "---|" * 8]
    for p in points:
        cp = cal[cal.point == p]
        if cp.empty:
            continue
        progs = list(dict.fromkeys(cp["engine"]))
        base = cp[cp.engine == progs[0]]
        gcbase = next((cp[cp.engine == e] for e in progs if ncol(cp[cp.engine == e]) > 0), None)
        for e in progs + engines:
            rs = cp[cp.engine == e] if e in progs else ok[(ok.engine == e) & (ok.point == p)]
            if rs.empty:
                continue
            cpu, gc, n = med(rs, "cpu_s"), med(rs, "gc_cpu_s"), ncol(rs)
            gcx = gc / med(gcbase, "gc_cpu_s") if gcbase is not None and med(gcbase, "gc_cpu_s") > 0 else math.nan
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                p, e, fmt_s(cpu), "%.2f" % (cpu / med(base, "cpu_s")) if med(base, "cpu_s") > 0 else "—",
                fmt_s(gc), "—" if math.isnan(gcx) else "%.2f" % gcx, "—" if math.isnan(n) else "%d" % n,
                "%.3f" % (gc / n * 1e3) if n > 0 and not math.isnan(gc) else "—"))
    return lines


def report(df, d, engines, points, rng, notes, cal=None):
    ok = ok_unlimited(df)
    first = df.iloc[0]
    lines = ["# gclab benchmark report: %s" % os.path.basename(os.path.abspath(d)), ""]
    # Every host that ran a record (a matrix over ssh or Slurm has several), each
    # with the fullest description among its records (a failed run's may be bare).
    machines, counts = {}, {}
    for r in df["machine"]:
        r = r if isinstance(r, dict) else {}
        h = r.get("host", "?")
        counts[h] = counts.get(h, 0) + 1
        if h not in machines or "cpu" in r and "cpu" not in machines[h]:
            machines[h] = r
    for h in sorted(machines):
        m = machines[h]
        if len(machines) == 1:
            lines.append("- machine: %s, %s cores, %s (host %s)" % (m.get("cpu", "?"), m.get("cores", "?"),
                                                                    m.get("os", "?"), h))
        else:
            lines.append("- machine %s: %s, %s cores, %s (%d records)" % (h, m.get("cpu", "?"), m.get("cores", "?"),
                                                                         m.get("os", "?"), counts[h]))
    lines += [
              "- commit: %s; compiler: %s" % (", ".join(sorted(set(df["commit"]))),
                                             ", ".join(sorted(set(df["compiler"]) - {"?"})) or "?"),
              "- date: %s (report generated %s UTC)" % (
                  datetime.datetime.fromtimestamp(os.path.getmtime(os.path.join(d, "records.jsonl")),
                                                  datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                  datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")),
              "- runs: %d records (%d failed), engines: %s, repetitions per cell: %s" % (
                  len(df), int(df["failed"].sum()), ", ".join(engines),
                  "/".join(str(n) for n in sorted(set(ok.groupby(["engine", "point"]).size())))) +
              (", plus %d plain-C calibration runs" % len(cal) if cal is not None and len(cal) else ""), ""]
    conf = os.path.join(d, "matrix.conf")
    if os.path.exists(conf):
        lines += ["<details><summary>matrix</summary>", "", "```", open(conf).read().rstrip(), "```",
                  "", "</details>", ""]
    lines += ["## Wall time (median and 95% bootstrap CI of the median, seconds)", "",
              "Each cell: median [CI low, CI high]%s." % (
                  "; `x nogc` is the ratio of medians, whose excess over 1 is the lower-bound overhead (LBO)%s" % (
                      ", `x bdw` likewise" if "bdw" in engines else "") if "nogc" in engines else
                  "; `x bdw` is the ratio of medians to bdw's" if "bdw" in engines else
                  " (nogc is not in this matrix: no overhead ratios)"),
              ""]
    head = "| workload | " + " | ".join(engines) + " |"
    lines += [head, "|" + "---|" * (len(engines) + 1)]
    for p in points:
        cells = []
        base = ok[(ok.engine == "nogc") & (ok.point == p)]["wall_s"].values
        bdw = ok[(ok.engine == "bdw") & (ok.point == p)]["wall_s"].values
        for e in engines:
            x = ok[(ok.engine == e) & (ok.point == p)]["wall_s"].values
            if len(x) == 0:
                cells.append("—")
                continue
            med, lo, hi = boot_median_ci(x, rng)
            c = "%s [%s, %s]" % (fmt_s(med), fmt_s(lo), fmt_s(hi))
            if len(base) and e != "nogc":
                c += " x%.2f nogc" % (np.median(x) / np.median(base))
            if len(bdw) and e not in ("bdw", "nogc"):
                c += " x%.2f bdw" % (np.median(x) / np.median(bdw))
            cells.append(c)
        lines.append("| %s | %s |" % (p, " | ".join(cells)))
    lines += ["", "## Pauses, memory and leaks (medians over repetitions)", "",
              "| workload | engine | pauses | p50 ms | p99 ms | max ms | MMU 10 ms | BMU 10 ms | "
              "peak live MiB | peak RSS MiB | leaked objects |", "|" + "---|" * 11]
    for p in points:
        for e in engines:
            rs = ok[(ok.engine == e) & (ok.point == p)]
            if rs.empty:
                continue
            pm = lambda k: np.median([r.get(k, np.nan) for r in rs["pauses"]])  # noqa: E731
            lines.append("| %s | %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f | %.1f | %d |" % (
                p, e, pm("count"), pm("p50_s") * 1e3, pm("p99_s") * 1e3, pm("max_s") * 1e3,
                np.median([r.get("10ms", np.nan) for r in rs["mmu"]]),
                np.median([r.get("10ms", np.nan) for r in rs["bmu"]]),
                np.median(rs["peak_live"]) / 2**20, np.median(rs["peak_rss"]) / 2**20,
                np.median(rs["leaked"])))
    hdf = df[df["hf"].notna()]
    if not hdf.empty:
        lines += ["", "## Heap limits", "", "| workload | engine | heap factor | limit (bytes) | runs | failed | "
                  "median s |", "|---|---|---|---|---|---|---|"]
        for (p, e, f), g in hdf.groupby(["point", "engine", "hf"]):
            okg = g[~g.failed]
            lim = int(g["min_heap"].iloc[0] * f) if g["min_heap"].iloc[0] else 0
            lines.append("| %s | %s | %g | %d | %d | %d | %s |" % (
                p, e, f, lim, len(g), int(g.failed.sum()), fmt_s(np.median(okg.wall_s) if len(okg) else None)))
    hf = sorted(glob.glob(os.path.join(d, "hyperfine", "*.json")))
    if hf:
        lines += ["", "## Whole-process time (hyperfine, startup included)", "",
                  "| workload | engine | mean s | stddev s | runs |", "|---|---|---|---|---|"]
        for f in hf:
            for r in json.load(open(f))["results"]:
                lines.append("| %s | %s | %.4f | %.4f | %d |" % (
                    os.path.basename(f)[:-5].replace(".", " "), r["command"], r["mean"],
                    r.get("stddev") or 0, len(r.get("times", []))))
    if cal is not None:
        lines += calibration_lines(df, cal, engines, points)
    fails = pd.concat([df[df["failed"]], cal[cal["failed"]]]) if cal is not None else df[df["failed"]]
    if not fails.empty:
        lines += ["", "## Failed runs", ""]
        for _, r in fails.iterrows():
            lines.append("- %s on %s (heap factor %s, repetition %s): %s" % (
                r.point, r.engine, r.hf, r.rep, r.error))
    lines += ["", "## Plots", ""]
    for png, what in [
        ("time.png", "wall time per workload and engine, %s (bars: median; whiskers: 95%% bootstrap CI)." % (
            "as a ratio to nogc's median" if "nogc" in engines else "in seconds (no nogc in this matrix to normalize to)")),
        ("pauses_cdf.png", "cumulative distribution of every pause, per engine, log time axis%s." % notes.get("pauses", "")),
        ("mmu.png", "minimum (solid) and bounded (dashed) mutator utilization against window size, per workload."),
        ("heap.png", "live bytes (solid) and heap bytes held from the OS (dotted) over time in one traced run per engine%s." % notes.get("heap", "")),
        ("garbage.png", "live bytes (solid) and garbage bytes, unreachable but not yet freed (dashed), against allocations in one traced run per engine%s." % notes.get("garbage", "")),
        ("collections.png", "collections per generation per engine and workload%s." % notes.get("collections", "")),
        ("heap_factor.png", "total and GC time against a fixed heap size (--heap-size) as a multiple of the minimum heap (the time-space tradeoff)%s." % notes.get("heap_factor", "")),
        ("leaks.png", "objects left allocated after every root is dropped and a full collection runs (rc: the cycles)."),
    ]:
        lines += ["### %s" % png, "", what, "", "![%s](%s)" % (png, png), ""]
    if len(set(df["commit"]) - {"?"}) > 1:
        lines[2:2] = ["- **records of several commits pooled (--mix-commits)**: every median mixes builds"]
    text = "\n".join(lines) + "\n"
    PENDING.append((os.path.join(d, "report.md"), text.encode()))


def make_report(d, mix_commits=False):
    for name in ["report.md"] + [n for n in ("time", "pauses_cdf", "mmu", "heap", "garbage", "collections",
                                               "heap_factor", "leaks")]:
        outfile.check(os.path.join(d, name if name.endswith(".md") else name + ".png"))
    df = load(d, mix_commits)
    cal, df = df[df["calib"]], df[~df["calib"]]
    if df.empty:
        raise BadInput("%s/records.jsonl has only calibration records" % d)
    check_tables(d)
    rng = np.random.default_rng(RNG_SEED)
    engines = sort_engines(df["engine"])
    points = list(dict.fromkeys(df["point"]))
    notes = {}
    plot_time(df, d, engines, points, rng)
    silent = plot_pauses(d, engines)
    if silent:
        notes["pauses"] = " (no pauses recorded: %s)" % ", ".join(silent)
    plot_mmu(df, d, engines, points)
    if not plot_heap(d, engines, points, trace_keys(df)):
        notes["heap"] = " (no traces in this run)"
    if not plot_garbage(d, engines, points, trace_keys(df)):
        notes["garbage"] = " (no traces with garbage columns in this run)"
    if plot_collections(df, d, engines, points) == 0:
        notes["collections"] = " (none of these engines collected: all zero)"
    if not plot_heap_factor(df, d, engines, points, rng):
        notes["heap_factor"] = " (no engine here runs under a heap limit: the plot says so)"
    plot_leaks(df, d, engines, points)
    report(df, d, engines, points, rng, notes, cal)
    write_pending()
    print("plot: wrote %s/report.md and 8 PNGs (%d records, engines: %s)" % (d, len(df), ", ".join(engines)))


# ---------------------------------------------------------------- compare

def permutation_p(a, b):
    """Exact two-sided permutation test on the difference of means."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    allv = np.concatenate([a, b])
    obs = abs(a.mean() - b.mean())
    n, k, hits = len(allv), len(a), 0
    combos = list(itertools.combinations(range(n), k))
    for c in combos:
        mask = np.zeros(n, bool)
        mask[list(c)] = True
        if abs(allv[mask].mean() - allv[~mask].mean()) >= obs - 1e-15:
            hits += 1
    return hits / len(combos)


def test_p(a, b):
    if sstats is not None:
        return float(sstats.mannwhitneyu(a, b, alternative="two-sided").pvalue), "Mann-Whitney U"
    return permutation_p(a, b), "permutation"


def compare(a_dir, b_dir, out_dir, alpha=0.05, mix_commits=False):
    A, B = load(a_dir, mix_commits), load(b_dir, mix_commits)
    rows = ["# gclab comparison", "", "- A: %s (commit %s)" % (a_dir, ", ".join(sorted(set(A.commit)))),
            "- B: %s (commit %s)" % (b_dir, ", ".join(sorted(set(B.commit)))), ""]
    key = ["point", "engine", "hf"]
    A2 = A[~A.failed].assign(hf=A.hf.fillna(0))
    B2 = B[~B.failed].assign(hf=B.hf.fillna(0))
    cells = sorted(set(map(tuple, A2[key].values)) & set(map(tuple, B2[key].values)),
                   key=lambda c: (c[0], sort_engines([c[1]]), c[2]))
    testname = None
    table = ["| workload | engine | heap factor | A median s | B median s | change | p | significant |",
             "|---|---|---|---|---|---|---|---|"]
    small = 0
    for p, e, f in cells:
        a = A2[(A2.point == p) & (A2.engine == e) & (A2.hf == f)]["wall_s"].values
        b = B2[(B2.point == p) & (B2.engine == e) & (B2.hf == f)]["wall_s"].values
        pv, testname = test_p(a, b)
        minp = 2.0 / math.comb(len(a) + len(b), len(a))
        if minp > alpha:
            flag = "n too small"
            small += 1
        else:
            flag = "**yes**" if pv < alpha else "no"
        ma, mb = np.median(a), np.median(b)
        table.append("| %s | %s | %s | %.4g | %.4g | %+.1f%% | %.3g | %s |" % (
            p, e, "—" if f == 0 else "%g" % f, ma, mb, (mb / ma - 1) * 100, pv, flag))
    rows += ["Wall time, B against A. Test: %s, two-sided, alpha %.2f%s." % (
        testname or "none", alpha,
        "; %d cells have too few repetitions for any p below alpha (3 + 3 gives at least 0.1)" % small
        if small else ""), ""] + table
    only = (set(map(tuple, A2[key].values)) ^ set(map(tuple, B2[key].values)))
    if only:
        rows += ["", "Cells in only one of the two: %d (not compared)." % len(only)]
    text = "\n".join(rows) + "\n"
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "compare.md")
    outfile.write_text(path, text)
    sys.stdout.write(text)
    print("plot: wrote %s" % path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", nargs="?", help="results directory")
    ap.add_argument("--compare", nargs=2, metavar=("A", "B"), help="diff two results directories")
    ap.add_argument("--out", help="where --compare writes compare.md (default: B)")
    ap.add_argument("--mix-commits", action="store_true",
                    help="pool records of several commits (refused by default: medians would mix builds)")
    args = ap.parse_args()
    try:
        if args.compare:
            for x in args.compare:
                if not os.path.isdir(x):
                    raise BadInput("%s: not a directory" % x)
            if args.out and os.path.isdir(args.out):
                outfile.check(os.path.join(args.out, "compare.md"))
            compare(args.compare[0], args.compare[1], args.out or args.compare[1], mix_commits=args.mix_commits)
        elif args.dir:
            if not os.path.isdir(args.dir):
                raise BadInput("%s: not a directory" % args.dir)
            make_report(args.dir, args.mix_commits)
        else:
            ap.error("give a results directory or --compare A B")
    except (BadInput, outfile.OutfileError) as e:
        PENDING.clear()
        print("plot: %s" % e, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
