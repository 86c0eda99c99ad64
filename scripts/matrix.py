#!/usr/bin/env python3
"""matrix.py — run a benchmark matrix (bench/matrices/*.conf) into a results
directory: on this machine (GNU parallel), on many (GNU parallel over ssh) or
on a Slurm cluster (an sbatch array). Python 3 standard library only.

  scripts/matrix.py FILE [--out DIR] [--jobs J] [--wait] [--dry-run]
                         [--hosts FILE [--return]]
                         [--slurm [--partition P] [--time T] [--account A]
                                  [--sbatch-arg ARG]...]
                         [--hyperfine] [--gclab PATH]
  scripts/matrix.py --status DIR

FILE's format is in bench/matrices/README.md, the directory's in
results/README.md. The whole matrix is checked (against `gclab engines
--json` and `gclab workloads --json`) before anything runs; each error names
its line. Exit 0: every job recorded; 1: some job is not (rerun to resume);
2: bad matrix, bad options, or DIR unusable (nothing was run).

Jobs. One job = one workload point x one repetition; it runs every engine
configuration (each engine unlimited, then each heap engine at each heap
factor) one after another, rotated by the job's number so that slow drift of
the machine hits every engine alike. With `calibrate = yes`, a point whose
workload has a plain-C twin (CALIBRATION: GCBench with malloc/free and with
libgc, the traversal graph marked in C; built by `make calib` into
build/calib/ beside the gclab binary) runs those programs in the same
rotation, with the point's parameters; their records say "calibration": true.

What makes a rerun exact (one record per job, engine configuration and
repetition, whatever was killed when):
  - one runner per results directory: it holds flock(DIR/.lock) and writes
    who it is there; a second runner refuses, naming the holder (--wait: waits);
  - one attempt per job at a time: an attempt (`--job`, what parallel, ssh and
    Slurm start) holds flock(DIR/locks/JOB.lock); another attempt at the same
    job waits for it, then finds the job recorded and skips it;
  - an attempt writes only inside its own DIR/attempts/JOB/ATTEMPT/; nothing
    there is merged unless that attempt finished every run of its job;
  - a job's records reach DIR/records.jsonl in one O_APPEND write of whole
    lines under flock(DIR/records.lock), after a journal (DIR/records.commit)
    naming the offset: a commit torn by a kill is rolled back (truncated to
    that offset) by whoever takes the lock next; the file is never rewritten;
  - a run whose gclab was killed from outside (SIGKILL, SIGTERM, SIGINT,
    SIGHUP) voids its attempt; a crash (another signal), exit 1 or the
    timeout is a failed record ("failed": true, "error").
"""

import argparse
import fcntl
import json
import math
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import outfile  # noqa: E402  (scripts/outfile.py: the result-file rule)

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SELF = os.path.abspath(__file__)
GCLAB_EXIT_TIMEOUT = 4   # gclab run --timeout (bench/budget.h)
KEYS = ("engines", "heap_engines", "repetitions", "seed", "heap_factors", "min_heap", "trace_every", "timeout",
        "calibrate")
# Plain-C twins of workloads (bench/calib/): workload -> [(record's engine, program in build/calib/)].
# Each takes the workload's parameters as KEY=VALUE arguments and prints one record.
CALIBRATION = {"gcbench": [("c-malloc", "gcbench-malloc"), ("c-bdw", "gcbench-bdw")],
               "traversal": [("c-mark", "traversal-c")]}
MIN_FACTOR = 0.1       # below this a heap cannot hold a workload's first objects (see README)
EXTERNAL_KILLS = {signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP}


class Usage(Exception):
    """A problem with the matrix, the options or DIR: exit 2, nothing run."""


def say(msg):
    print("matrix: " + msg, file=sys.stderr, flush=True)


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"))


# ---------------------------------------------------------------- discovery

def gclab_json(gclab, *args):
    """Run `gclab ARGS --json` and parse its one JSON document."""
    try:
        p = subprocess.run([gclab, *args, "--json"], capture_output=True, text=True, timeout=60)
    except OSError as e:
        raise Usage("cannot run %s: %s" % (gclab, e.strerror))
    if p.returncode != 0:
        raise Usage("'%s %s --json' failed (exit %d): %s" % (gclab, " ".join(args), p.returncode, p.stderr.strip()))
    try:
        return json.loads(p.stdout)
    except ValueError as e:
        raise Usage("'%s %s --json' printed no JSON: %s" % (gclab, " ".join(args), e))


# ---------------------------------------------------------------- the matrix file

NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$")
INTEGER = re.compile(r"^[0-9]+$")


def number_token(tok):
    """A numeric token as the JSON number it is recorded as (int if written as one)."""
    return int(tok) if INTEGER.match(tok) else float(tok)


def parse_matrix(path, engines, workloads):
    """Parse and check a matrix file. engines: [{name, caps}], workloads:
    [{name, params: [{name, default, ...}]}] from gclab's --json discovery.
    Returns the settings dict; raises Usage with every error, each as
    FILE:LINE: message."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise Usage("%s: cannot read: %s" % (path, getattr(e, "strerror", None) or e))
    name_of = os.path.basename(path)
    errors = []

    def err(line, msg):
        errors.append("%s:%d: %s" % (path, line, msg))

    known_e = [e["name"] for e in engines]
    caps = {e["name"]: e.get("caps", {}) for e in engines}
    wl_params = {w["name"]: w.get("params", []) for w in workloads}
    seen = {}
    vals = {}
    wl_lines = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.match(r"^workload(\s+(.*))?$", line)
        if m:
            wl_lines.append((n, (m.group(2) or "").split()))
            continue
        m = re.match(r"^([A-Za-z_][A-Za-z_0-9]*)\s*=\s*(.*)$", line)
        if not m:
            err(n, "expected 'KEY = VALUE' or 'workload NAME KEY=V1,V2 ...', got '%s'" % raw.strip())
            continue
        k, v = m.group(1), m.group(2).strip()
        if k not in KEYS:
            err(n, "unknown key '%s' (keys: %s, and 'workload' lines)" % (k, ", ".join(KEYS)))
            continue
        if k in seen:
            err(n, "'%s' is set twice (first on line %d)" % (k, seen[k]))
            continue
        seen[k] = n
        vals[k] = v

    s = {"name": os.path.splitext(name_of)[0], "lines": seen}

    # engines
    spec = vals.get("engines", "all")
    line = seen.get("engines", 0)
    if spec == "all":
        s["engines"] = list(known_e)
    elif not spec:
        err(line, "'engines' is empty: write 'all' or engine names (%s)" % " ".join(known_e))
        s["engines"] = []
    else:
        s["engines"] = []
        for e in spec.split():
            if e not in known_e:
                err(line, "unknown engine '%s' (known: %s)" % (e, " ".join(known_e)))
            elif e in s["engines"]:
                err(line, "engine '%s' is listed twice" % e)
            else:
                s["engines"].append(e)

    # numbers
    def integer(key, dflt, lo):
        v = vals.get(key)
        if v is None:
            return dflt
        if not INTEGER.match(v) or int(v) < lo:
            err(seen[key], "'%s' must be an integer >= %d, not '%s'" % (key, lo, v))
            return dflt
        return int(v)

    s["repetitions"] = integer("repetitions", 3, 1)
    s["seed"] = integer("seed", 1, 0)
    s["trace_every"] = integer("trace_every", 10000, 0)
    t = vals.get("timeout", "300")
    if not NUMBER.match(t) or not 0 < float(t) <= 86400:
        err(seen.get("timeout", 0), "'timeout' must be seconds in (0, 86400], not '%s'" % t)
        t = "300"
    s["timeout"] = float(t)
    mh = vals.get("min_heap", "bisect")
    if mh not in ("bisect", "peak"):
        err(seen["min_heap"], "'min_heap' must be bisect or peak, not '%s'" % mh)
    s["min_heap"] = mh
    cal = vals.get("calibrate", "no")
    if cal not in ("yes", "no"):
        err(seen["calibrate"], "'calibrate' must be yes or no, not '%s'" % cal)
    s["calibrate"] = cal == "yes"

    # heap factors and heap engines
    factors = []
    fv = vals.get("heap_factors", "")
    fline = seen.get("heap_factors", 0)
    for tok in ([] if fv in ("", "none") else fv.split()):
        if not NUMBER.match(tok) or not math.isfinite(float(tok)):
            err(fline, "heap factor '%s' is not a number" % tok)
        elif float(tok) <= 0:
            err(fline, "heap factor %s must be > 0 (a factor multiplies the minimum heap; the engines "
                       "already run unlimited besides the factors)" % tok)
        elif float(tok) < MIN_FACTOR:
            err(fline, "heap factor %s is below %g: a heap that small cannot hold a workload's first "
                       "objects (factors from %g to 1 show MemoryError)" % (tok, MIN_FACTOR, MIN_FACTOR))
        elif any(float(tok) == float(f) for f in factors):
            err(fline, "heap factor %s is listed twice" % tok)
        else:
            factors.append(tok)
    s["heap_factors"] = factors
    hv = vals.get("heap_engines", "auto")
    hline = seen.get("heap_engines", 0)
    if hv == "auto":
        s["heap_engines"] = [e for e in s["engines"]
                             if caps[e].get("collects_cycles") and not caps[e].get("refcounts")]
        if factors and not s["heap_engines"] and s["engines"]:
            err(fline, "heap_factors are given but no engine here traces (heap_engines = auto picks engines "
                       "with collects_cycles and no refcounts); name heap_engines or drop heap_factors")
    elif hv == "none":
        s["heap_engines"] = []
        if factors:
            err(fline, "heap_factors are given but heap_engines = none (line %d)" % hline)
    elif not hv:
        err(hline, "'heap_engines' is empty: write auto, none or engine names")
        s["heap_engines"] = []
    else:
        s["heap_engines"] = []
        for e in hv.split():
            if e not in s["engines"]:
                err(hline, "heap engine '%s' is not among the engines (%s)" % (e, " ".join(s["engines"])))
            elif e not in s["heap_engines"]:
                s["heap_engines"].append(e)
        if not factors:
            err(hline, "heap_engines are named but heap_factors is empty")
    if not factors:
        s["heap_engines"] = []

    # workload lines -> points (workload, [(k, v), ...]); the cartesian product of each line
    points = []
    lines_of = {}
    s["point_lines"] = lines_of
    if not wl_lines:
        errors.append("%s: no 'workload' line (workload NAME [KEY=V1,V2 ...], or workload all)" % path)
    for n, words in wl_lines:
        if not words:
            err(n, "'workload' needs a name (or all)")
            continue
        w, rest = words[0], words[1:]
        if w == "all":
            if rest:
                err(n, "'workload all' takes no parameters")
            points += [(name, []) for name in wl_params]
            continue
        if w not in wl_params:
            err(n, "unknown workload '%s' (known: %s)" % (w, " ".join(wl_params)))
            continue
        specs = {p["name"]: p for p in wl_params[w]}
        combos = [[]]
        keys_here = set()
        for kv in rest:
            m = re.match(r"^([A-Za-z_][A-Za-z_0-9]*)=(.*)$", kv)
            if not m:
                err(n, "workload %s: expected KEY=V1,V2,..., got '%s'" % (w, kv))
                continue
            k, vs = m.group(1), m.group(2).split(",")
            if k not in specs:
                err(n, "workload %s has no parameter '%s' (it takes: %s)" % (w, k, " ".join(specs) or "none"))
                continue
            if k in keys_here:
                err(n, "workload %s: parameter '%s' is given twice" % (w, k))
                continue
            keys_here.add(k)
            good = []
            for v in vs:
                problem = check_param_value(specs[k], v)
                if problem:
                    err(n, "workload %s: %s=%s: %s" % (w, k, v, problem))
                else:
                    good.append(v)
            combos = [c + [(k, v)] for c in combos for v in good]
        points += [(w, c) for c in combos]
        for c in combos:
            lines_of.setdefault(point_key(w, c), n)
    uniq = []
    for p in points:
        if p not in uniq:
            uniq.append(p)
    s["points"] = uniq
    if s["calibrate"] and uniq and not any(w in CALIBRATION for w, _ in uniq):
        err(seen["calibrate"], "'calibrate = yes' but no workload here has a plain-C calibration (%s)"
            % " ".join(sorted(CALIBRATION)))
    if errors:
        raise Usage("\n".join(errors))
    return s


def check_points(gclab, path, s):
    """Every point on every engine through `gclab run --check`, which knows
    what the --json listings cannot say (constraints between parameters,
    engine knobs' own checks): all errors at once, each with its line."""
    errors = []
    for w, params in s["points"]:
        for e in s["engines"]:
            cmd = [gclab, "run", "-e", e, "-w", w, *[a for kv in params for a in ("-p", "%s=%s" % kv)], "--check"]
            try:
                p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
            except subprocess.TimeoutExpired:
                errors.append("%s:%d: %s: gclab run --check did not answer" % (path, s["point_lines"].get(
                    point_key(w, params), 0), point_key(w, params)))
                continue
            if p.returncode != 0:
                msg = p.stderr.strip().replace("gclab run: ", "", 1)[:300]
                errors.append("%s:%d: workload %s on %s: %s" % (path, s["point_lines"].get(point_key(w, params), 0),
                                                               point_key(w, params), e, msg))
                break   # one engine is enough to show a workload's error
    if errors:
        raise Usage("\n".join(errors))


def check_param_value(spec, v):
    """Why value v does not fit parameter spec (None if it does). Uses the
    spec's "type", "min" and "max" when gclab's --json gives them."""
    typ = spec.get("type")
    if typ == "word":
        if v not in spec.get("words", []):
            return ("not a known word (one of %s)" % "|".join(spec.get("words", []))) if v else "empty value"
        return None
    if not NUMBER.match(v):
        return "not a number" if v else "empty value"
    x = float(v)
    if x != x or x in (float("inf"), float("-inf")):
        return "not a number"
    if typ == "int" and x != int(x):   # 1e6 and 2.0 are whole numbers, as gclab takes them
        return "not an integer"
    lo, hi = spec.get("min"), spec.get("max")
    if lo is not None and x < lo or hi is not None and x > hi:
        return "out of range [%s, %s]" % ("" if lo is None else lo, "" if hi is None else hi)
    return None


def point_key(w, params):
    """'binarytrees depth=6': the point as minheap.tsv names it."""
    return " ".join([w] + ["%s=%s" % kv for kv in params])


def job_id(w, params, rep):
    """'binarytrees.depth=6.r0': stable across reruns (plot.py strips .rN)."""
    return ".".join([w] + ["%s=%s" % kv for kv in params] + ["r%d" % rep])


def calib_program(gclab, prog):
    """build/calib/PROG beside the gclab binary build/gclab."""
    return os.path.join(os.path.dirname(gclab), "calib", prog)


def expand(s, gclab):
    """Jobs in order: [{id, num, workload, params, rep, calib}] and the engine
    configurations [[engine, factor token or None], ...]. A job's calib lists
    its plain-C runs [[engine, program], ...] (calibrate = yes)."""
    jobs = []
    for w, params in s["points"]:
        cal = [[e, calib_program(gclab, prog)] for e, prog in CALIBRATION.get(w, [])] if s["calibrate"] else []
        for r in range(s["repetitions"]):
            jobs.append({"id": job_id(w, params, r), "num": len(jobs), "workload": w,
                         "params": params, "rep": r, "calib": cal})
    configs = [[e, None] for e in s["engines"]] + [[e, f] for e in s["heap_engines"] for f in s["heap_factors"]]
    return jobs, configs


def job_runs(job, n_cfg):
    """Records a complete job has: one per engine configuration, one per calibration program."""
    return n_cfg + len(job.get("calib", []))


# ---------------------------------------------------------------- files and locks

def lock_file(path, blocking, describe=None):
    """Open path and flock it exclusively; return the fd, or None if it is
    held and not blocking. describe: text written into it once held."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BlockingIOError:
        os.close(fd)
        return None
    if describe is not None:
        os.ftruncate(fd, 0)
        os.pwrite(fd, (describe + "\n").encode(), 0)
    return fd


def holder_of(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().strip() or "(unknown holder)"
    except OSError:
        return "(unknown holder)"


def write_atomic(path, text):
    """text into path through a temp file and rename, never over a non-regular
    file (scripts/outfile.py: a symlink's regular target is replaced, devices,
    FIFOs, directories and dangling links are refused)."""
    try:
        outfile.write_text(path, text)
    except outfile.OutfileError as e:
        raise Usage(str(e))


def append_lines(path, lines):
    """Whole lines to path with one O_APPEND write (looping on short writes);
    only to a regular file (or a symlink to one), never a device or FIFO."""
    data = "".join(lines).encode()
    try:
        path = outfile.resolve(path)[0]
    except outfile.OutfileError as e:
        raise Usage(str(e))
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
    try:
        while data:
            n = os.write(fd, data)
            data = data[n:]
        os.fsync(fd)
    finally:
        os.close(fd)


class Records:
    """DIR/records.jsonl, its lock and its commit journal."""

    def __init__(self, d):
        self.path = os.path.join(d, "records.jsonl")
        self.lock_path = os.path.join(d, "records.lock")
        self.journal = os.path.join(d, "records.commit")

    def __enter__(self):
        self.fd = lock_file(self.lock_path, True)
        self.recover()
        return self

    def __exit__(self, *exc):
        os.close(self.fd)

    def recover(self):
        """Roll back a commit torn by a kill (under the lock)."""
        try:
            with open(self.journal, encoding="utf-8") as f:
                j = json.load(f)
        except FileNotFoundError:
            return
        except ValueError:
            j = None                    # the journal itself was torn: nothing was appended after it
        if j is not None:
            size = os.path.getsize(self.path) if os.path.exists(self.path) else 0
            if size != j["offset"] + j["bytes"] and size > j["offset"]:
                say("records.jsonl: rolling back a torn commit of job %s (attempt %s): %d of %d bytes"
                    % (j["job"], j["attempt"], size - j["offset"], j["bytes"]))
                os.truncate(self.path, j["offset"])
        os.unlink(self.journal)

    def counts(self, only=None):
        """Records per job id: {job: n}. only: count that job id alone
        (the line filter keeps this linear and cheap)."""
        c = {}
        if not os.path.exists(self.path):
            return c
        with open(self.path, "rb") as f:
            for n, raw in enumerate(f, 1):
                if only is not None and ('"job":%s' % json.dumps(only)).encode() not in raw:
                    continue
                try:
                    r = json.loads(raw)
                except ValueError:
                    raise Usage("%s:%d: not a JSON record (edited by hand?): %r" % (self.path, n, raw[:80]))
                j = r.get("job") if isinstance(r, dict) else None
                if only is None or j == only:
                    c[j] = c.get(j, 0) + 1
        return c

    def commit(self, job, attempt, lines):
        size = os.path.getsize(self.path) if os.path.exists(self.path) else 0
        data = "".join(lines).encode()
        write_atomic(self.journal, dumps({"job": job, "attempt": attempt, "offset": size, "bytes": len(data)}))
        append_lines(self.path, lines)
        os.unlink(self.journal)


# ---------------------------------------------------------------- one job attempt

class Interrupted(Exception):
    pass


def set_pdeathsig():
    """In a child before exec: die with SIGKILL when the parent dies (Linux)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def alive(runner):
    """Whether the runner that started this attempt still runs ('HOST:PID'; another host: assume so)."""
    if not runner:
        return True
    host, _, pid = runner.rpartition(":")
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
        return True
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True


def run_child(cmd, timeout, runner):
    """Run cmd; (returncode or -signal, stdout, stderr, timed_out). Polls so
    that the run stops when this attempt's runner is gone."""
    # gclab stops itself at the timeout (--timeout: exit 4, nothing written);
    # the kill below, a little later, is only for a gclab that cannot.
    if cmd[1:2] == ["run"]:
        cmd = [*cmd, "--timeout", "%g" % timeout]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=set_pdeathsig)
    deadline = time.monotonic() + timeout + 10
    try:
        while True:
            try:
                out, err = p.communicate(timeout=0.5)
                return p.returncode, out, err, p.returncode == GCLAB_EXIT_TIMEOUT
            except subprocess.TimeoutExpired:
                if time.monotonic() > deadline:
                    p.kill()
                    out, err = p.communicate()
                    return p.returncode, out, err, True
                if not alive(runner):
                    raise Interrupted("the runner that started this attempt (%s) is gone" % runner)
    except BaseException:
        p.kill()
        p.wait()
        raise


def machine_of(gclab):
    try:
        return json.loads(subprocess.run([gclab, "machine"], capture_output=True, text=True, timeout=30).stdout)
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return {"host": socket.gethostname()}


def run_job(d, plan_path, jid, runner, stage):
    """One attempt at job jid. Returns the exit status: 0 recorded (or
    already), 1 not recorded (interrupted), 2 a problem a rerun cannot fix."""
    with open(plan_path, encoding="utf-8") as f:
        plan = json.load(f)
    job = next((j for j in plan["jobs"] if j["id"] == jid), None)
    if job is None:
        say("no job '%s' in %s" % (jid, plan_path))
        return 2
    job["params"] = [tuple(kv) for kv in job["params"]]
    host = socket.gethostname()
    attempt = "%s-%d-%s" % (host, os.getpid(), secrets.token_hex(3))
    root = stage or d
    for sub in ("locks", "attempts", "pauses", "traces"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    lock = os.path.join(root, "locks", jid + ".lock")
    me = "attempt %s (pid %d on %s, since %s)" % (attempt, os.getpid(), host, time.strftime("%H:%M:%S"))
    fd = lock_file(lock, False, me)
    if fd is None:
        say("job %s: waiting for %s" % (jid, holder_of(lock)))
        fd = lock_file(lock, True, me)
    records = Records(d)
    # The job's runs: every engine configuration, then its calibration programs ([engine, None, program]).
    runs = [c + [None] for c in plan["configs"]] + [[e, None, prog] for e, prog in job.get("calib", [])]
    n_runs = len(runs)
    if not stage:
        with records:
            have = records.counts(jid).get(jid, 0)
        if have == n_runs:
            print("skip %s: already recorded" % jid, flush=True)
            return 0
        if have:
            say("job %s has %d of its %d records in %s; remove them by hand" % (jid, have, n_runs, records.path))
            return 2
    adir = os.path.join(root, "attempts", jid)
    shutil.rmtree(adir, ignore_errors=True)          # stale attempts' output: never merged
    adir = os.path.join(adir, attempt)
    os.makedirs(os.path.join(adir, "pauses"))
    os.makedirs(os.path.join(adir, "traces"))

    def on_signal(sig, _frame):
        raise Interrupted("signal %d" % sig)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    start = time.monotonic()
    gclab = plan["gclab"]
    pargs = [a for k, v in job["params"] for a in ("-p", "%s=%s" % (k, v))]
    pjson = {k: number_token(v) for k, v in job["params"]}
    pkey = ".".join([job["workload"]] + ["%s=%s" % kv for kv in job["params"]])
    minheap = plan["minheap"].get(point_key(job["workload"], job["params"]))
    lines, failed, machine = [], 0, None
    try:
        for i in range(n_runs):
            eng, hf, prog = runs[(i + job["num"]) % n_runs]
            if not alive(runner):
                raise Interrupted("the runner that started this attempt (%s) is gone" % runner)
            limit = int(minheap * float(hf)) if hf is not None else 0
            tag = "%s.%s%s" % (jid, eng, "@" + hf if hf is not None else "")
            if prog:
                # A plain-C calibration program: the point's parameters as KEY=VALUE.
                cmd = [prog, *["%s=%s" % kv for kv in job["params"]]]
            else:
                # A heap factor gives the engine a fixed heap of factor x minimum
                # (--heap-size: it collects when full), so GC time follows the size.
                cmd = [gclab, "run", "-e", eng, "-w", job["workload"], *pargs, "--seed", str(plan["seed"]),
                       "--repetition", str(job["rep"]), *(["--heap-size", str(limit)] if limit else []), "--json",
                       "--pauses", os.path.join(adir, "pauses", tag + ".txt")]
            rc, out, err, timed_out = run_child(cmd, plan["timeout"], runner)
            err = err.decode(errors="replace").strip()
            extra = {"job": jid, "matrix": plan["matrix"], "heap_factor": number_token(hf) if hf else None,
                     "min_heap_bytes": minheap if hf else None}
            if prog:
                extra.update({"calibration": True, "seed": plan["seed"], "repetition": job["rep"],
                              "commit": plan["commit"], "machine": machine or machine_of(gclab)})
                machine = extra["machine"]
            rec = None
            if rc == 0 and not timed_out:
                try:
                    rec = json.loads(out)
                except ValueError:
                    rec = None
                if not isinstance(rec, dict):
                    say("job %s: %s printed no JSON record" % (jid, shlex.join(cmd)))
                    return 2
                rec = {**extra, **rec} if not prog else {**rec, **extra}
                machine = rec.get("machine", machine)
            elif rc < 0 and -rc in EXTERNAL_KILLS and not timed_out:
                raise Interrupted("gclab (%s on %s) was killed by signal %d" % (eng, job["workload"], -rc))
            elif rc == 2 and hf is None:
                say("job %s: %s: exit 2 (bad arguments): %s\nmatrix: a rerun cannot fix this: check the matrix "
                    "against `%s run --help`" % (jid, shlex.join(cmd), err[:400], gclab))
                return 2
            else:
                why = ("timeout after %gs" % plan["timeout"] if timed_out else
                       "crashed with signal %d: %s" % (-rc, err[:300]) if rc < 0 else
                       "gclab refused the heap limit: %s" % err[:300] if rc == 2 else err[:400])
                machine = machine or machine_of(gclab)
                rec = {**extra, "engine": eng, "workload": job["workload"], "params": pjson,
                       "seed": plan["seed"], "repetition": job["rep"], "heap_limit": limit, "heap_size": limit, "failed": True,
                       "error": why, "commit": plan["commit"], "machine": machine}
                failed += 1
            lines.append(dumps(rec) + "\n")
            # One traced run per unlimited engine at repetition 0, outside the timed runs.
            trace = os.path.join(d, "traces", "%s.%s.txt" % (pkey, eng))
            if plan["trace_every"] and job["rep"] == 0 and hf is None and not prog and not os.path.exists(trace):
                run_child([gclab, "run", "-e", eng, "-w", job["workload"], *pargs, "--seed", str(plan["seed"]),
                           "--trace", os.path.join(adir, "traces", os.path.basename(trace)),
                           "--trace-every", str(plan["trace_every"])], plan["timeout"], runner)
        if stage:
            write_atomic(os.path.join(adir, "records.jsonl"), "".join(lines))
            print("staged %s %s: %d runs%s in %.1fs" % (jid, adir, n_runs, " (%d failed)" % failed if failed else "",
                                                        time.monotonic() - start), flush=True)
            return 0
        status = commit_attempt(d, records, jid, attempt, adir, lines)
    except Interrupted as e:
        say("job %s: attempt %s stopped (%s); nothing recorded" % (jid, attempt, e))
        return 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.close(fd)
    if status == "dup":
        print("skip %s: recorded meanwhile" % jid, flush=True)
    else:
        print("ok %s: %d runs%s in %.1fs" % (jid, n_runs, " (%d failed)" % failed if failed else "",
                                            time.monotonic() - start), flush=True)
    return 0


def commit_attempt(d, records, jid, attempt, adir, lines):
    """Side files into DIR/pauses and DIR/traces, then the records: the commit
    point. 'ok', or 'dup' if the job got recorded meanwhile (nothing merged)."""
    with records:
        if records.counts(jid).get(jid, 0):
            shutil.rmtree(adir, ignore_errors=True)
            return "dup"
        for sub in ("pauses", "traces"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
            for fname in os.listdir(os.path.join(adir, sub)):
                dst = os.path.join(d, sub, fname)
                if os.path.lexists(dst) and (os.path.islink(dst) or not os.path.isfile(dst)):
                    raise Usage("%s is not a regular file; not replacing it" % dst)
                os.replace(os.path.join(adir, sub, fname), dst)
        records.commit(jid, attempt, lines)
    shutil.rmtree(os.path.dirname(adir), ignore_errors=True)
    return "ok"


def merge_staged(d, records, adir):
    """--return: commit an attempt a remote host staged and parallel copied back."""
    jid = os.path.basename(os.path.dirname(adir))
    with open(os.path.join(adir, "records.jsonl"), encoding="utf-8") as f:
        lines = f.readlines()
    return commit_attempt(d, records, jid, os.path.basename(adir), adir, lines)


# ---------------------------------------------------------------- minimum heaps

def peak_of(gclab, s, eng, limit, w, params):
    """Peak live bytes of a run with a fixed heap of `limit` bytes (0: none), or None if it failed."""
    cmd = [gclab, "run", "-e", eng, "-w", w, *[a for kv in params for a in ("-p", "%s=%s" % kv)],
           "--seed", str(s["seed"]), *(["--heap-size", str(limit)] if limit else []), "--json",
           "--timeout", "%g" % s["timeout"]]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=s["timeout"] + 10)
    except subprocess.TimeoutExpired:
        return None
    if p.returncode != 0:
        return None
    return json.loads(p.stdout)["peak_live_bytes"]


def minimum_heaps(d, gclab, s):
    """{point key: bytes} for every point, from DIR/minheap.tsv or measured now."""
    path = os.path.join(d, "minheap.tsv")
    have = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                cols = line.rstrip("\n").split("\t")
                if len(cols) != 4 or not INTEGER.match(cols[1]):
                    raise Usage("%s:%d: expected POINT<tab>BYTES<tab>ENGINE<tab>METHOD" % (path, n))
                have[cols[0]] = int(cols[1])
    if not s["heap_engines"]:
        return have
    ref = s["heap_engines"][0]
    for w, params in s["points"]:
        key = point_key(w, params)
        if key in have:
            continue
        hi = peak_of(gclab, s, ref, 0, w, params)
        if hi is None:
            raise Usage("minimum heap: %s fails on '%s' without a heap limit" % (ref, key))
        if s["min_heap"] == "bisect":
            lo = 0
            while hi - lo > hi // 100 + 1:
                mid = (lo + hi) // 2
                if peak_of(gclab, s, ref, mid, w, params) is None:
                    lo = mid
                else:
                    hi = mid
        append_lines(path, ["%s\t%d\t%s\t%s\n" % (key, hi, ref, s["min_heap"])])
        print("minimum heap of '%s' on %s (%s): %d bytes" % (key, ref, s["min_heap"], hi), flush=True)
        have[key] = hi
    return have


# ---------------------------------------------------------------- Slurm

def slurm_active(d):
    """Submissions whose array may still be queued or running: [(subdir, jobid, ntasks or None)]."""
    out = []
    sdir = os.path.join(d, "slurm")
    if not os.path.isdir(sdir):
        return out
    for sub in sorted(os.listdir(sdir)):
        f = os.path.join(sdir, sub, "active")
        if not os.path.exists(f):
            continue
        with open(f, encoding="utf-8") as fh:
            jobid = fh.read().strip()
        try:
            p = subprocess.run(["squeue", "-h", "-r", "-j", jobid, "-o", "%i %T"], capture_output=True,
                               text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            out.append((os.path.join(sdir, sub), jobid, "squeue failed: %s" % e))
            continue
        if p.returncode != 0 and "Invalid job id" not in p.stderr:
            out.append((os.path.join(sdir, sub), jobid, "squeue failed: %s" % p.stderr.strip()))
            continue
        tasks = [l for l in p.stdout.splitlines() if l.strip()]
        if tasks:
            out.append((os.path.join(sdir, sub), jobid, "%d task(s) queued or running" % len(tasks)))
        else:
            os.replace(f, os.path.join(sdir, sub, "ended"))
    return out


def submit_slurm(d, args, s, todo, plan_text):
    sub = os.path.join(d, "slurm", time.strftime("%Y%m%d-%H%M%S") + "-%d" % os.getpid())
    os.makedirs(sub)
    write_atomic(os.path.join(sub, "plan.json"), plan_text)
    write_atomic(os.path.join(sub, "todo.txt"), "".join(j + "\n" for j in todo))
    flags = ["--job-name=gclab-%s" % s["name"], "--array=1-%d%%%d" % (len(todo), args.jobs),
             "--cpus-per-task=1", "--output=%s/%%A_%%a.out" % sub]
    for opt, val in (("partition", args.partition), ("time", args.time), ("account", args.account)):
        if val:
            flags.append("--%s=%s" % (opt, val))
    flags += args.sbatch_arg
    script = ["#!/bin/bash",
              "# Written by scripts/matrix.py for %s: one array task per job in todo.txt beside it." % s["name"],
              "# This submission's own job list and plan; rerun matrix.py --slurm to resume."]
    script += ["#SBATCH %s" % f for f in flags]
    script += ["cd %s || exit 2" % shlex.quote(os.getcwd()),
               'id=$(sed -n "${SLURM_ARRAY_TASK_ID}p" %s)' % shlex.quote(os.path.join(sub, "todo.txt")),
               "exec python3 %s --job %s %s \"$id\"" % (shlex.quote(SELF), shlex.quote(d),
                                                         shlex.quote(os.path.join(sub, "plan.json")))]
    write_atomic(os.path.join(sub, "array.sbatch"), "\n".join(script) + "\n")
    p = subprocess.run(["sbatch", "--parsable", os.path.join(sub, "array.sbatch")], capture_output=True, text=True)
    if p.returncode != 0:
        raise Usage("sbatch failed (exit %d): %s" % (p.returncode, p.stderr.strip()))
    jobid = p.stdout.strip().split(";")[0]
    write_atomic(os.path.join(sub, "active"), jobid + "\n")
    print("submitted array job %s: %d tasks (%s); job list %s" % (jobid, len(todo), " ".join(flags[1:]),
                                                                  os.path.join(sub, "todo.txt")), flush=True)


# ---------------------------------------------------------------- ssh hosts

def parse_hosts(path):
    """GNU parallel's --sshlogin lines: [N/]HOST or [N/]SSH-COMMAND [USER@]HOST;
    ':' is this machine. Returns [(line, ssh argv or None for local)]."""
    hosts = []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            m = re.match(r"^([0-9]+/)?(.+)$", line)
            words = shlex.split(m.group(2))
            if words == [":"]:
                hosts.append((line, None))
            elif len(words) == 1:
                hosts.append((line, ["ssh", words[0]]))
            elif words[0].endswith("ssh"):
                hosts.append((line, words))
            else:
                raise Usage("%s:%d: expected [N/]HOST or [N/]ssh OPTIONS [USER@]HOST, got '%s'" % (path, n, line))
    if not hosts:
        raise Usage("%s: no host" % path)
    return hosts


def preflight(hosts, d, gclab, commit, want_return):
    """Check every host before running: gclab at this path, the same commit,
    DIR writable and shared (or --return). Raises Usage naming the host."""
    token = secrets.token_hex(8)
    probe = os.path.join(d, ".share-" + token)
    write_atomic(probe, token)
    try:
        for line, ssh in hosts:
            if ssh is None:
                continue
            script = ("cd %s || { echo 'no-checkout'; exit; }; "
                      "[ -x %s ] || { echo 'no-gclab'; exit; }; "
                      "echo commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown); "
                      "command -v python3 >/dev/null || echo no-python; "
                      "mkdir -p %s 2>/dev/null && [ -w %s ] || echo not-writable; "
                      "[ \"$(cat %s 2>/dev/null)\" = %s ] && echo shared || echo not-shared"
                      % tuple(shlex.quote(x) for x in (HERE, gclab, d, d, probe, token)))
            try:
                p = subprocess.run(ssh + ["-o", "BatchMode=yes", script], capture_output=True, text=True, timeout=60)
            except (OSError, subprocess.TimeoutExpired) as e:
                raise Usage("host '%s': cannot reach it: %s" % (line, e))
            if p.returncode != 0:
                raise Usage("host '%s': ssh failed (exit %d): %s" % (line, p.returncode, p.stderr.strip()[-300:]))
            got = p.stdout.split("\n")
            if "no-checkout" in got:
                raise Usage("host '%s': no gclab checkout at %s (it must sit at the same path on every host)" % (line, HERE))
            if "no-gclab" in got:
                raise Usage("host '%s': %s is not there or not executable (build it there: make)" % (line, gclab))
            if "no-python" in got:
                raise Usage("host '%s': no python3 on its PATH" % line)
            c = next((l.split()[1] for l in got if l.startswith("commit ")), "?")
            if c != commit:
                raise Usage("host '%s': its checkout is at commit %s, this one at %s (same commit everywhere)" % (line, c, commit))
            if "not-writable" in got:
                raise Usage("host '%s': %s is not writable there" % (line, d))
            if "not-shared" in got and not want_return:
                raise Usage("host '%s': %s is not the same directory there (not on a shared filesystem): "
                            "share it, or pass --return to copy each job's records back" % (line, d))
            print("host %s: ok (commit %s, %s)" % (line, c, "shared" if "shared" in got else "records copied back"),
                  flush=True)
    finally:
        os.unlink(probe)


# ---------------------------------------------------------------- the runner

def prepare_dir(d):
    if os.path.lexists(d) and not os.path.isdir(d):
        raise Usage("--out %s exists and is not a directory" % d)
    try:
        os.makedirs(d, exist_ok=True)
        probe = os.path.join(d, ".write-test.%d" % os.getpid())
        with open(probe, "w"):
            pass
        os.unlink(probe)
    except OSError as e:
        raise Usage("--out %s is not writable: %s" % (d, e.strerror))


def run_parallel(d, args, plan_path, todo, runner, hosts):
    """Launch the todo jobs through GNU parallel; print progress. Returns parallel's status."""
    cmd = ["parallel", "--jobs", str(args.jobs), "--halt", "never", "--line-buffer"]
    # This interpreter on this machine (a version manager's python3 shim costs
    # ~0.7 s a start); whatever python3 is on the PATH of other hosts.
    worker = ["python3" if hosts else sys.executable, SELF, "--job", d, plan_path, "{}", "--runner", runner]
    placeholders = ("{}", os.path.join(d, "stage", "{#}"))
    if hosts:
        cmd += ["--sshloginfile", args.hosts, "--workdir", HERE]
        if args.return_:
            # The plan goes out to each host (same path); each attempt stages its
            # output in DIR/stage/SEQ there (SEQ: parallel's job number), which
            # comes back here and is committed by this runner.
            stage = os.path.join(d, "stage", "{#}")
            worker += ["--stage", stage]
            cmd += ["--basefile", plan_path, "--return", stage, "--cleanup"]
    listf = os.path.join(d, "todo.txt")
    write_atomic(listf, "".join(j + "\n" for j in todo))
    cmd += ["-a", listf, " ".join(shlex.quote(w) if w not in placeholders else w for w in worker)]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, preexec_fn=set_pdeathsig)

    def stop(sig, _frame):
        say("signal %d: stopping the running jobs (their attempts are not recorded)" % sig)
        try:
            p.send_signal(signal.SIGTERM)   # parallel: TERM,TERM,KILL to every job's process group
        except ProcessLookupError:
            pass
    old = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    start, done, records, staged = time.monotonic(), 0, Records(d), False
    try:
        for line in p.stdout:
            line = line.rstrip("\n")
            m = re.match(r"^(ok|skip|staged) (\S+?):? ", line)
            if not m:
                print(line, flush=True)
                continue
            if m.group(1) == "staged":
                staged = True    # committed below, once parallel has copied it back
            done += 1
            el = time.monotonic() - start
            eta = ""
            if done < len(todo):
                rem = (len(todo) - done) * el / done
                eta = ", ETA %d:%02d" % (rem // 60, rem % 60)
            print("[%d/%d] %s%s" % (done, len(todo), line, eta), flush=True)
        rc = p.wait()
    finally:
        for s_, h in old.items():
            signal.signal(s_, h)
    if args.return_ and staged:
        sroot = os.path.join(d, "stage")
        for seq in sorted(os.listdir(sroot)):
            aroot = os.path.join(sroot, seq, "attempts")
            for jid in os.listdir(aroot) if os.path.isdir(aroot) else []:
                for a in os.listdir(os.path.join(aroot, jid)):
                    adir = os.path.join(aroot, jid, a)
                    if os.path.exists(os.path.join(adir, "records.jsonl")):
                        merge_staged(d, records, adir)
            shutil.rmtree(os.path.join(sroot, seq), ignore_errors=True)
    return rc


def hyperfine(d, gclab, s):
    if not shutil.which("hyperfine"):
        raise Usage("--hyperfine: hyperfine is not installed (scripts/deps.sh)")
    hdir = os.path.join(d, "hyperfine")
    os.makedirs(hdir, exist_ok=True)
    bad = 0
    for w, params in s["points"]:
        f = os.path.join(hdir, ".".join([w] + ["%s=%s" % kv for kv in params]) + ".json")
        if os.path.exists(f):
            continue
        cmds = []
        for e in s["engines"]:
            cmds += ["-n", e, shlex.join([gclab, "run", "-e", e, "-w", w,
                                          *[a for kv in params for a in ("-p", "%s=%s" % kv)],
                                          "--seed", str(s["seed"])])]
        p = subprocess.run(["hyperfine", "-N", "--style", "basic", "--runs", str(s["repetitions"]), "--warmup", "1",
                            "--export-json", f + ".tmp", *cmds], stdout=subprocess.DEVNULL)
        if p.returncode == 0:
            os.replace(f + ".tmp", f)
        else:
            say("hyperfine failed on '%s'" % point_key(w, params))
            bad = 1
    return bad


def summary(d, s, jobs, n_cfg):
    with Records(d) as records:
        counts = records.counts()
    nrec = sum(counts.values())
    nfail, hosts = 0, {}
    with open(records.path, "rb") if os.path.exists(records.path) else open(os.devnull, "rb") as f:
        for raw in f:
            r = json.loads(raw)
            nfail += bool(r.get("failed"))
            h = r.get("machine", {}).get("host", "?")
            hosts[h] = hosts.get(h, 0) + 1
    left = [j["id"] for j in jobs if counts.get(j["id"], 0) != job_runs(j, n_cfg)]
    print("matrix %s: %d/%d jobs recorded, %d records (%d failed runs) in %s" % (
        s["name"], len(jobs) - len(left), len(jobs), nrec, nfail, records.path), flush=True)
    if hosts:
        print("hosts: " + ", ".join("%s (%d records)" % kv for kv in sorted(hosts.items())), flush=True)
    return left


def status(d):
    plan_path = os.path.join(d, "plan.json")
    try:
        with open(plan_path, encoding="utf-8") as f:
            plan = json.load(f)
    except (OSError, ValueError) as e:
        raise Usage("%s: no plan (%s): not a results directory of scripts/matrix.py" % (plan_path, e))
    s = {"name": plan["matrix"]}
    left = summary(d, s, plan["jobs"], len(plan["configs"]))
    for sub, jobid, what in slurm_active(d):
        print("slurm array %s (%s): %s" % (jobid, sub, what))
    lockf = os.path.join(d, ".lock")
    fd = lock_file(lockf, False) if os.path.exists(lockf) else -1
    if fd is None:
        print("runner: " + holder_of(lockf))
    elif fd >= 0:
        os.close(fd)
    return 1 if left else 0


def main(argv):
    ap = argparse.ArgumentParser(prog="scripts/matrix.py", add_help=True,
                                 description="Run a benchmark matrix (see the top of this file).")
    ap.add_argument("matrix", nargs="?")
    ap.add_argument("--out")
    ap.add_argument("--jobs", "-j", default="1")
    ap.add_argument("--wait", action="store_true", help="wait for another runner or Slurm array on DIR")
    ap.add_argument("--dry-run", action="store_true", help="check the matrix, print the plan, run nothing")
    ap.add_argument("--hosts")
    ap.add_argument("--return", dest="return_", action="store_true")
    ap.add_argument("--slurm", action="store_true")
    ap.add_argument("--partition")
    ap.add_argument("--time")
    ap.add_argument("--account")
    ap.add_argument("--sbatch-arg", action="append", default=[])
    ap.add_argument("--hyperfine", action="store_true")
    ap.add_argument("--gclab", default=os.path.join(HERE, "build", "gclab"))
    ap.add_argument("--status", metavar="DIR")
    ap.add_argument("--job", nargs=3, metavar=("DIR", "PLAN", "ID"))
    ap.add_argument("--runner", default="")
    ap.add_argument("--stage")
    a = ap.parse_args(argv)
    if a.job:
        return run_job(os.path.abspath(a.job[0]), a.job[1], a.job[2], a.runner,
                       os.path.abspath(a.stage) if a.stage else None)
    if a.status:
        return status(os.path.abspath(a.status))
    if not a.matrix:
        raise Usage("a matrix file is required (scripts/matrix.py --help)")
    if not re.match(r"^[1-9][0-9]*$", a.jobs):
        raise Usage("--jobs needs a positive integer, not '%s'" % a.jobs)
    a.jobs = int(a.jobs)
    if a.slurm and a.hosts:
        raise Usage("--slurm and --hosts: choose one launcher")
    if (a.partition or a.time or a.account or a.sbatch_arg) and not a.slurm:
        raise Usage("--partition, --time, --account and --sbatch-arg go with --slurm")
    if a.return_ and not a.hosts:
        raise Usage("--return goes with --hosts")
    if not os.path.isfile(a.matrix):
        raise Usage("%s: no such file" % a.matrix)
    gclab = os.path.abspath(a.gclab)
    if not os.access(gclab, os.X_OK):
        raise Usage("%s not found: build it first (make)" % gclab)
    engines = gclab_json(gclab, "engines")
    workloads = gclab_json(gclab, "workloads")
    s = parse_matrix(a.matrix, engines, workloads)
    check_points(gclab, a.matrix, s)
    jobs, configs = expand(s, gclab)
    missing = sorted({prog for j in jobs for _, prog in j["calib"] if not os.access(prog, os.X_OK)})
    if missing:
        raise Usage("calibrate = yes: %s not built (make calib)" % ", ".join(missing))
    hosts = parse_hosts(a.hosts) if a.hosts else None
    head = "matrix %s: %d points x %d repetitions = %d jobs of %d runs (%s)" % (
        s["name"], len(s["points"]), s["repetitions"], len(jobs), len(configs),
        " ".join(e + ("@" + f if f else "") for e, f in configs))
    if a.dry_run:
        print(head)
        for j in jobs:
            print("  " + j["id"])
        return 0

    d = os.path.abspath(a.out or os.path.join("results", s["name"]))
    prepare_dir(d)
    me = "runner pid %d on %s since %s: %s" % (os.getpid(), socket.gethostname(), time.strftime("%Y-%m-%d %H:%M:%S"),
                                               shlex.join(["scripts/matrix.py", *argv]))
    lockf = os.path.join(d, ".lock")
    fd = lock_file(lockf, False, me)
    if fd is None:
        if not a.wait:
            raise Usage("%s is in use by another %s; wait for it to end, or pass --wait" % (d, holder_of(lockf)))
        say("%s is in use by another %s; waiting" % (d, holder_of(lockf)))
        fd = lock_file(lockf, True, me)
    while True:
        active = slurm_active(d)
        if not active:
            break
        what = "; ".join("array job %s (%s): %s" % (j, sub, w) for sub, j, w in active)
        if not a.wait:
            raise Usage("%s: a Slurm array of this matrix may still run: %s. Wait for it (squeue -j ID), cancel "
                        "it (scancel ID), or pass --wait" % (d, what))
        say("waiting for %s" % what)
        time.sleep(5)

    with open(a.matrix, encoding="utf-8") as f:
        conf = f.read()
    old = os.path.join(d, "matrix.conf")
    if os.path.exists(old):
        with open(old, encoding="utf-8", errors="replace") as f:
            if f.read() != conf:
                raise Usage("%s was made from a different matrix (see %s); choose another --out" % (d, old))
    else:
        write_atomic(old, conf)
    commit = subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    if hosts:
        preflight(hosts, d, gclab, commit, a.return_)
    # Records name the commit their binary was built from; the runner's own
    # records (failed runs, calibration) name the same one.
    v = subprocess.run([gclab, "--version"], capture_output=True, text=True).stdout
    m = re.search(r"\(commit ([^)\s]+)\)", v)
    built = m.group(1) if m else commit
    with Records(d) as records:
        counts = records.counts()
    n_cfg = len(configs)
    partial = [(j["id"], counts[j["id"]], job_runs(j, n_cfg)) for j in jobs
               if counts.get(j["id"], 0) not in (0, job_runs(j, n_cfg))]
    if partial:
        raise Usage("%s: jobs with some but not all of their records: %s" % (
            records.path, ", ".join("%s (%d of %d)" % p for p in partial[:5])))
    todo = [j["id"] for j in jobs if counts.get(j["id"], 0) == 0]
    minheap = minimum_heaps(d, gclab, s) if todo else {}
    plan = {"matrix": s["name"], "gclab": gclab, "commit": built, "seed": s["seed"], "timeout": s["timeout"],
            "trace_every": s["trace_every"], "configs": configs, "jobs": jobs, "minheap": minheap}
    plan_text = json.dumps(plan, indent=1) + "\n"
    print("%s; %d done, %d to run -> %s" % (head, len(jobs) - len(todo), len(todo),
                                            os.path.join(d, "records.jsonl")), flush=True)
    plan_path = os.path.join(d, "plan.json")
    write_atomic(plan_path, plan_text)
    if a.slurm:
        if todo:
            submit_slurm(d, a, s, todo, plan_text)
        else:
            print("nothing to submit")
        return 0
    rc = 0
    if todo:
        rc = run_parallel(d, a, plan_path, todo, "%s:%d" % (socket.gethostname(), os.getpid()), hosts)
    if a.hyperfine:
        rc = hyperfine(d, gclab, s) or rc
    left = summary(d, s, jobs, n_cfg)
    if left:
        say("%d jobs not recorded (%s%s); rerun the same command to run them" % (
            len(left), ", ".join(left[:3]), ", ..." if len(left) > 3 else ""))
        return 1
    return 0 if rc == 0 else 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Usage as e:
        for line in str(e).split("\n"):
            say(line)
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(1)
