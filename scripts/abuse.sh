#!/usr/bin/env bash
# scripts/abuse.sh — a rerunnable campaign of careless and hostile
# invocations (issue 19): the gclab CLI, heap scripts on several engines,
# fuzz-print inputs, matrix configs and results directories for the plotter.
#
#   scripts/abuse.sh [--quick] [--jobs N] [--timeout S] [--log FILE]
#
# Every input runs under the ASan+UBSan build (build/debug/gclab) with
# detect_leaks=1, in a scratch directory, with a wall-clock limit. Each is
# classed as one of:
#   accepted   exit 0 (a valid input that ran)
#   clean      exit 1..4 with a message naming the problem (gclab: / FILE:LINE: /
#              matrix: / plot: ...), no traceback, nothing half-written
#   unclear    a non-zero exit with no message, a Python traceback, a message
#              without its tool's prefix, exit 1 where the input was refused
#              before running (a usage error must be 2), or a result file
#              left behind by a failed run
#   crash      killed by a signal
#   sanitizer  an AddressSanitizer / LeakSanitizer / UBSan report
#   hang       still running at the limit
# It prints one line of totals and exits non-zero if anything is not
# accepted or clean; the offenders go to the log (default $TMPDIR/abuse.log).
# Inputs are generated deterministically (seed 19), so a rerun tries the same.
set -u
cd "$(dirname "$0")/.." || exit 2
exec python3 -S - "$@" <<'PY'
import argparse, json, os, random, re, shutil, stat, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor

ap = argparse.ArgumentParser(prog="scripts/abuse.sh")
ap.add_argument("--quick", action="store_true", help="a small sample (for make test)")
ap.add_argument("--jobs", type=int, default=2)
ap.add_argument("--timeout", type=float, default=60.0)
ap.add_argument("--log", default=os.path.join(tempfile.gettempdir(), "abuse.log"))
ap.add_argument("--gclab", default="build/debug/gclab")
ap.add_argument("--sample", type=int, default=0, help="run only N of the inputs, chosen by the seed")
a = ap.parse_args()
G = os.path.abspath(a.gclab)
if not os.access(G, os.X_OK):
    sys.exit("abuse: %s not found: make debug first" % G)
PY3 = sys.executable
PLOTPY = "/usr/bin/python3"
ROOT = os.getcwd()
rng = random.Random(19)
work = tempfile.mkdtemp(prefix="abuse.")
env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1",
           UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1", MPLBACKEND="Agg")

cases = []   # (kind, argv, expect) ; expect: "usage" (must be exit 2) or None (any clean outcome)


def add(kind, argv, expect=None, outputs=()):
    cases.append((kind, [str(x) for x in argv], expect, outputs))


def engines():
    out = subprocess.run([G, "engines"], capture_output=True, text=True, env=env).stdout
    return [l.split()[0] for l in out.splitlines() if l.strip()]


def workloads():
    return json.loads(subprocess.run([G, "workloads", "--json"], capture_output=True, text=True, env=env).stdout)


ENG = engines()
WL = workloads()

# ---------------------------------------------------------------- CLI
BAD_NUMBERS = ["-1", "1.5", "0.5", "abc", "", "1e999", "99999999999999999999", "0x10", "inf", "nan",
               " 5", "5 ", "+5", "1e-3", "--", "=", "1,2", "\xff", "%n%n%s", "9" * 400]
for w in WL:
    for p in w["params"]:
        vals = [v for v in BAD_NUMBERS if a.quick is False or v in ("-1", "1.5", "abc")]
        if "min" in p:
            vals += [str(p["min"] - 1), str(p["max"] + 1)]
        for v in vals:
            add("cli", [G, "run", "-e", rng.choice(ENG), "-w", w["name"], "-p", "%s=%s" % (p["name"], v)],
                "usage")
        if a.quick:
            break
    add("cli", [G, "run", "-e", "rc", "-w", w["name"], "-p", "nosuch=1"], "usage")
    dup = w["params"][0]["name"] if w["params"] else "zeal"
    add("cli", [G, "run", "-e", "rc", "-w", w["name"], "-p", dup + "=1", "-p", dup + "=2"], "usage")
for e in ENG:
    for p in json.loads(subprocess.run([G, "engines", "--json"], capture_output=True, text=True,
                                       env=env).stdout)[ENG.index(e)].get("params", []):
        for v in (["-1", "abc", "1e999", ""] if not a.quick else ["abc"]):
            add("cli", [G, "run", "-e", e, "-w", "churn", "-p", "n=10", "-p", "%s=%s" % (p["name"], v)], "usage")
        if p.get("type") == "int" and not a.quick:
            add("cli", [G, "run", "-e", e, "-w", "churn", "-p", "n=10", "-p", "%s=%s" % (p["name"], p["max"] + 1)],
                "usage")
    add("cli", [G, "run", "-e", e, "-w", "churn", "-p", "n=10", "-p", "heap_factor=2", "-p", "nosuch=3"], "usage")
OPTS = ["--seed", "--heap-limit", "--heap-size", "--repetition", "--alloc", "--trace-every", "--timeout"]
for o in OPTS:
    for v in ["-3", "abc", "", "1.5", "1e99", "0x1"] + ([] if a.quick else ["99999999999999999999999", "-0"]):
        add("cli", [G, "run", "-e", "rc", "-w", "churn", "-p", "n=10", o, v])
    add("cli", [G, "run", "-e", "rc", "-w", "churn", o], "usage")
for argv in (["run"], ["run", "-e"], ["run", "-w", "churn"], ["run", "-e", "", "-w", "churn"],
             ["run", "-e", "rc", "-w", ""], ["run", "-e", "rc", "-w", "churn", "--fast"],
             ["run", "-e", "rc", "-w", "churn", "-p"], ["run", "-e", "rc", "-w", "churn", "-p", "=3"],
             ["run", "-e", "rc", "-w", "churn", "-p", "n"], ["frobnicate"], [], ["engines", "x"],
             ["workloads", "--xml"], ["machine", "x"], ["script"], ["script", "-e"], ["fuzz-print"],
             ["script", "/nonexistent.py"], ["run", "-e", "rc", "-w", "churn", "--heap-limit", "100"],
             ["run", "-e", "rc", "-w", "churn", "--heap-size", "10"]):
    add("cli", [G] + argv, "usage")
# Output paths that are not regular files, or cannot be written.
os.mkfifo(os.path.join(work, "fifo"))
os.symlink("/dev/null", os.path.join(work, "to_null"))
os.symlink(os.path.join(work, "nothing"), os.path.join(work, "dangling"))
os.mkdir(os.path.join(work, "dir"))
for o in ("--out", "--pauses", "--trace"):
    for path in ("/dev/null", "/dev/full", os.path.join(work, "fifo"), os.path.join(work, "to_null"),
                 os.path.join(work, "dangling"), os.path.join(work, "dir"), "/nonexistent/x", "", "/proc/self/mem"):
        add("cli", [G, "run", "-e", "rc", "-w", "churn", "-p", "n=1e12", o, path], "usage")
# Runs that fail (exit 1) must leave no result file.
for i, e in enumerate(ENG):
    out = os.path.join(work, "failed-%d.json" % i)
    add("cli", [G, "run", "-e", e, "-w", "churn", "-p", "n=30000", "-p", "keep_every=1", "--heap-limit", "20000",
                "--out", out, "--pauses", out + ".p", "--trace", out + ".t"], None, (out, out + ".p", out + ".t"))
    add("cli", [G, "run", "-e", e, "-w", "churn", "-p", "n=1e12", "--timeout", "0.3", "--out", out + ".x"], None,
        (out + ".x",))

# ---------------------------------------------------------------- scripts
SCRIPTS = {
    "forever": "while True:\n    pass\n",
    "forever_alloc": "x = []\nwhile True:\n    x = [x]\n",
    "deep_recursion": "def f(n):\n    return f(n + 1)\nf(0)\n",
    "huge_list": "x = [0] * 100000000000\n",
    "cr_only": "x = 1\rprint(x)\r",
    "crlf": "x = 1\r\nprint(x)\r\n",
    "tabs_spaces": "if True:\n\tx = 1\n        y = 2\n",
    "nul_byte": "x = 1\x00\n",
    "binary": "".join(chr(rng.randrange(1, 256)) for _ in range(300)),
    "empty": "",
    "only_comment": "# nothing\n",
    "unterminated_string": "x = 'abc\n",
    "deep_parens": "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
    "deep_list": "x = " + "[" * 5000 + "]" * 5000 + "\n",
    "many_names": "".join("v%d = %d\n" % (i, i) for i in range(20000)),
    "long_name": "x" * 100000 + " = 1\n",
    "decorator": "@dec\ndef f():\n    pass\n",
    "match": "match x:\n    case 1:\n        pass\n",
    "del_loop": "class C:\n    def __del__(self):\n        while True:\n            pass\nc = C()\nc = None\n",
    "int_attr": "x = 1\nx.foo = 2\n",
    "self_del": "class C:\n    pass\nc = C()\nc.__del__()\n",
    "div_zero": "print(1 // 0)\n",
    "big_int": "x = 2 ** 10000\n",
    "assert_false": "assert False, 'no'\n",
    "import_os": "import os\n",
    "lambda": "f = lambda x: x\n",
    "global_in_main": "global x\nx = 1\n",
    "nonlocal": "def f():\n    nonlocal x\n",
    "utf8_bom": "\ufeffx = 1\n",
    "bad_utf8": "x = '\udcff'\n",
}
files = {}
for name, text in SCRIPTS.items():
    p = os.path.join(work, name + ".py")
    with open(p, "wb") as f:
        f.write(text.encode("utf-8", "surrogateescape"))
    files[name] = p
# random mutations of the repository's own scripts
srcs = sorted(os.path.join("tests/scripts", f) for f in os.listdir("tests/scripts") if f.endswith(".py"))
for i in range(6 if a.quick else 80):
    src = open(rng.choice(srcs), "rb").read()
    b = bytearray(src)
    for _ in range(rng.randrange(1, 6)):
        if not b:
            break
        k = rng.randrange(len(b))
        op = rng.randrange(3)
        if op == 0:
            b[k] = rng.randrange(256)
        elif op == 1:
            del b[k:k + rng.randrange(1, 20)]
        else:
            b[k:k] = rng.choice([b"(", b")", b":", b"\n    ", b"[", b"'", b"\\", b"lambda", b"yield", b"**"])
    p = os.path.join(work, "mut%d.py" % i)
    with open(p, "wb") as f:
        f.write(bytes(b))
    files["mut%d" % i] = p
script_engines = ENG if not a.quick else ENG[:2]
for name, p in sorted(files.items()):
    for e in script_engines if not name.startswith("mut") else [rng.choice(ENG)]:
        add("script", [G, "script", p, "-e", e, "--max-steps", "2000000", "--timeout", "20"])
add("script", [G, "script", files["forever"], "--max-steps", "1.5"], "usage")
add("script", [G, "script", files["forever"], "--timeout", "0"], "usage")
add("script", [G, "script", files["forever"], "-p", "zeal=1", "-p", "zeal=2"], "usage")

# ---------------------------------------------------------------- fuzz-print
corpus = []
for t in ("ops_target", "diff_target", "script_target"):
    d = os.path.join("fuzz/corpus", t)
    if os.path.isdir(d):
        corpus += [os.path.join(d, f) for f in sorted(os.listdir(d))]
for i in range(8 if a.quick else 128):
    base = open(rng.choice(corpus), "rb").read() if corpus and i % 2 else b""
    b = bytearray(base or bytes(rng.randrange(256) for _ in range(rng.randrange(0, 400))))
    for _ in range(rng.randrange(0, 8)):
        if b:
            b[rng.randrange(len(b))] = rng.randrange(256)
    p = os.path.join(work, "fz%d.bin" % i)
    with open(p, "wb") as f:
        f.write(bytes(b))
    add("fuzz-print", [G, "fuzz-print", p] + (["--ops"] if i % 3 == 0 else []))
add("fuzz-print", [G, "fuzz-print", "/nonexistent"], "usage")
add("fuzz-print", [G, "fuzz-print", os.path.join(work, "dir")], "usage")

# ---------------------------------------------------------------- matrix configs
CONFS = [
    "engines =\nworkload churn n=10\n", "engines = rc\nheap_factors = 0\nworkload churn n=10\n",
    "engines = marksweep\nheap_factors = 0.0001\nworkload churn n=10\n",
    "engines = nosuch\nworkload churn n=10\n", "engines = rc\nworkload churn n=1.5\n",
    "engines = rc\nworkload churn depth=3\n", "engines = rc\nworkload nosuch\n", "engines = rc\n",
    "engines = rc\nrepetitions = 0\nworkload churn n=10\n", "engines = rc\nrepetitions = 1e9\nworkload churn n=10\n",
    "engines = rc\ntimeout = -1\nworkload churn n=10\n", "engines = rc\nseed = x\nworkload churn n=10\n",
    "engines = rc\nworkload gcbench min_depth=9 max_depth=6\n", "engines = rc rc\nworkload churn n=10\n",
    "engines = rc\nengines = rc\nworkload churn n=10\n", "bogus = 1\n", "\xff\xfe\n", "workload\n",
    "engines = rc\nworkload churn n=\n", "engines = rc\nworkload churn n=1,,2\n",
    "engines = rc\nheap_engines = marksweep\nheap_factors = 2\nworkload churn n=10\n",
    "engines = rc\nworkload churn n=99999999999999999999\n", "=\n", "engines rc\n",
]
for i, text in enumerate(CONFS if not a.quick else CONFS[:6]):
    p = os.path.join(work, "m%d.conf" % i)
    with open(p, "wb") as f:
        f.write(text.encode("utf-8", "surrogateescape"))
    add("matrix", [PY3, "-S", "scripts/matrix.py", p, "--out", os.path.join(work, "mres%d" % i), "--gclab", G],
        "usage")
add("matrix", [PY3, "-S", "scripts/matrix.py", "/nonexistent.conf"], "usage")

# ---------------------------------------------------------------- results directories
REC = ('{"job":"churn.n=10.r%d","engine":"%s","workload":"churn","params":{"n":10},"heap_factor":null,'
       '"repetition":%d,"wall_s":1.%d,"gc_s":0.0,"pauses":{"count":1,"p50_s":0.001,"p99_s":0.001,"max_s":0.001},'
       '"mmu":{"10ms":0.9},"bmu":{"10ms":0.9},"collections":[1],"leaked":0,"leaked_bytes":0,"peak_live_bytes":1,'
       '"peak_heap_bytes":1,"peak_rss_bytes":1,"commit":"%s","machine":{"host":"h"}}\n')


def results(i, records, pause=None, extra=None):
    d = os.path.join(work, "res%d" % i)
    os.makedirs(os.path.join(d, "pauses"), exist_ok=True)
    with open(os.path.join(d, "records.jsonl"), "wb") as f:
        f.write(records)
    if pause is not None:
        with open(os.path.join(d, "pauses", "churn.n=10.r0.rc.txt"), "wb") as f:
            f.write(pause)
    if extra:
        extra(d)
    add("plot", [PLOTPY, "scripts/plot.py", d])


good = "".join(REC % (r, e, r, r, "abc") for e in ("rc", "marksweep") for r in (0, 1)).encode()
PAUSE = b"# gclab pauses: engine=rc workload=churn\n# start_s duration_s gen\n0.001 0.001 0\n"
variants = [
    good, good + b"\n\n", good[:-40], good + b"{broken\n", b"\xff\xfe" + good, b"", b"[]\n", b"null\n",
    good.replace(b'"wall_s":1.0,', b""), good.replace(b'"pauses":{', b'"pauses_":{'),
    good + (REC % (5, "rc", 5, 5, "other")).encode(), good.replace(b'"wall_s":1.1', b'"wall_s":"x"'),
    good.replace(b'"engine":"rc"', b'"engine":7'), (REC % (0, "newengine", 0, 0, "abc")).encode(),
]
for i, v in enumerate(variants if not a.quick else variants[:5]):
    results(i, v, PAUSE)
n = len(variants)
results(n, good, PAUSE + b"0.1 garbage 0\n")
results(n + 1, good, PAUSE + b"\xe9\xe9\n")
results(n + 2, good, PAUSE, lambda d: os.mkfifo(os.path.join(d, "time.png")))
results(n + 3, good, PAUSE, lambda d: os.symlink("/dev/null", os.path.join(d, "report.md")))
add("plot", [PLOTPY, "scripts/plot.py", "/nonexistent"], "usage")

# ---------------------------------------------------------------- run them
PREFIX = re.compile(r"^(gclab\b|matrix: |plot: |usage: |Exception ignored in |[^\s:]+:[0-9]+(:[0-9]+)?: )")


def classify(case):
    kind, argv, expect, outputs = case
    # the plotter imports matplotlib and pandas: seconds on a loaded machine
    limit = a.timeout * (3 if kind == "plot" else 1)
    try:
        p = subprocess.run(argv, capture_output=True, env=env, timeout=limit, cwd=ROOT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return "hang", case, "still running after %gs" % limit
    err = p.stderr.decode("utf-8", "replace")
    rc = p.returncode
    if re.search(r"(AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:)", err):
        return "sanitizer", case, err[-600:]
    if rc < 0:
        return "crash", case, "signal %d: %s" % (-rc, err[-300:])
    left = [o for o in outputs if os.path.lexists(o)] if rc != 0 else []
    if left:
        return "unclear", case, "exit %d left %s behind" % (rc, " ".join(left))
    if rc == 0:
        return ("unclear", case, "exit 0 where a usage error was due") if expect == "usage" else ("accepted", case, "")
    first = err.strip().splitlines()[0] if err.strip() else ""
    if "Traceback (most recent call last)" in err:
        return "unclear", case, "traceback: " + err[-400:]
    if not first:
        return "unclear", case, "exit %d with no message" % rc
    if not PREFIX.match(first):
        return "unclear", case, "message without a prefix: " + first[:200]
    if expect == "usage" and rc != 2:
        return "unclear", case, "exit %d, a usage error is 2: %s" % (rc, first[:200])
    if rc not in (1, 2, 3, 4):
        return "unclear", case, "exit %d: %s" % (rc, first[:200])
    return "clean", case, ""


if a.sample and a.sample < len(cases):
    cases = random.Random(19).sample(cases, a.sample)
start = time.monotonic()
with ThreadPoolExecutor(max_workers=max(1, a.jobs)) as ex:
    results_ = list(ex.map(classify, cases))
totals = {k: 0 for k in ("accepted", "clean", "unclear", "crash", "sanitizer", "hang")}
by_kind = {}
with open(a.log, "w") as log:
    for cls, (kind, argv, expect, outputs), why in results_:
        totals[cls] += 1
        by_kind.setdefault(kind, 0)
        by_kind[kind] += 1
        if cls not in ("accepted", "clean"):
            log.write("%s [%s] %s\n    %s\n" % (cls.upper(), kind, " ".join(repr(x) if (not x or " " in x) else x
                                                                        for x in argv)[:400], why.replace("\n", "\n    ")))
# Nothing outside the scratch directory was replaced.
devs_ok = all(stat.S_ISCHR(os.stat(p).st_mode) for p in ("/dev/null", "/dev/full"))
shutil.rmtree(work, ignore_errors=True)
print("abuse: %d inputs tried (%s) in %.0fs: %d accepted, %d clean errors, %d unclear messages, %d crashes, "
      "%d sanitizer reports, %d hangs; /dev/null and /dev/full %s%s" % (
          len(cases), ", ".join("%s %d" % kv for kv in sorted(by_kind.items())), time.monotonic() - start,
          totals["accepted"], totals["clean"], totals["unclear"], totals["crash"], totals["sanitizer"],
          totals["hang"], "intact" if devs_ok else "REPLACED",
          "" if not (totals["unclear"] + totals["crash"] + totals["sanitizer"] + totals["hang"]) else
          "; details in " + a.log))
sys.exit(0 if devs_ok and not (totals["unclear"] + totals["crash"] + totals["sanitizer"] + totals["hang"]) else 1)
PY
