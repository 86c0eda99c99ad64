# test_ssh.sh — scripts/matrix.py --hosts over real ssh: two sshd daemons this
# test starts on 127.0.0.1 (tests/sh/sshd_local.sh), each with its own host
# name; "node3" does not see the results directory (an empty tmpfs over it in
# its mount namespace), as a host without a shared filesystem. Checks the
# pre-flight messages name the host, records carry their host, --return
# copies records back, and every job has exactly its records.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/sshd_local.sh"

PY3=$(python3 -c 'import sys; print(sys.executable)')
M="$PY3 scripts/matrix.py"
mkdir -p "$T_TMP/res" "$T_TMP/onlyhere"
cp "$GCLAB" "$T_TMP/onlyhere/gclab"
if ! sshd_up "$T_TMP/ssh2" node2; then skip "ssh matrix" "no sshd here: $SSHD_WHY"; exit 0; fi
L2=$SSHD_LOGIN
if ! sshd_up "$T_TMP/ssh3" node3 "$T_TMP/res" "$T_TMP/onlyhere"; then skip "ssh matrix" "no sshd here: $SSHD_WHY"; exit 0; fi
L3=$SSHD_LOGIN
pass "two sshd daemons of the test's own on 127.0.0.1 (node2, node3)"

cat >"$T_TMP/s.conf" <<'EOF'
engines = rc rcgen
repetitions = 2
seed = 4
trace_every = 0
workload churn n=200000,200001
EOF
WANT="churn.n=200000.r0=2 churn.n=200000.r1=2 churn.n=200001.r0=2 churn.n=200001.r1=2"
records_of() { $PY3 -S -c '
import json, sys, collections
c = collections.Counter(json.loads(l)["job"] for l in open(sys.argv[1]))
print(" ".join("%s=%d" % kv for kv in sorted(c.items())))' "$1"; }
hosts_of() { $PY3 -S -c '
import json, sys
print(" ".join(sorted({json.loads(l)["machine"]["host"] for l in open(sys.argv[1])})))' "$1"; }

# This machine and node2, sharing the results directory.
printf '# this machine, one job at a time\n1/:\n1/%s\n' "$L2" >"$T_TMP/hosts2"
$M "$T_TMP/s.conf" --out "$T_TMP/res/a" --hosts "$T_TMP/hosts2" >"$T_TMP/a.log" 2>&1
expect_eq "a matrix over this machine and node2 completes" "$?" 0
expect_eq "the pre-flight check passes node2 (same commit, shared directory)" \
    "$(grep -c "^host 1/ssh -p .*: ok (commit $(git rev-parse --short HEAD), shared)" "$T_TMP/a.log")" 1
expect_eq "8 records expected over two hosts, $(wc -l <"$T_TMP/res/a/records.jsonl") found, 2 per job" \
    "$(records_of "$T_TMP/res/a/records.jsonl")" "$WANT"
expect_eq "each record carries the machine description of the host that ran it" \
    "$(hosts_of "$T_TMP/res/a/records.jsonl")" "node2 $(hostname)"
expect_eq "the runner's summary lists every host" "$(grep -c '^hosts: node2 ([0-9]* records), ' "$T_TMP/a.log")" 1
MPLBACKEND=Agg /usr/bin/python3 scripts/plot.py "$T_TMP/res/a" >/dev/null 2>&1
expect_eq "report.md lists every host" "$(grep -c -E '^- machine (node2|'"$(hostname)"'): ' "$T_TMP/res/a/report.md")" 2

# node3 does not see DIR: refused, naming the host, unless --return.
printf '1/%s\n' "$L3" >"$T_TMP/hosts3"
expect_exit "a host that does not share the results directory is refused" 2 \
    $M "$T_TMP/s.conf" --out "$T_TMP/res/b" --hosts "$T_TMP/hosts3"
expect_eq "the refusal names the host and the way out" \
    "$(grep -c "host '1/ssh -p .*': $T_TMP/res/b is not the same directory there (not on a shared filesystem): share it, or pass --return" "$T_TMP/err")" 1
expect_exit "a host without gclab at this path is refused" 2 \
    $M "$T_TMP/s.conf" --out "$T_TMP/res/c" --hosts "$T_TMP/hosts3" --return --gclab "$T_TMP/onlyhere/gclab"
expect_eq "the refusal names the host and the missing binary" \
    "$(grep -c "host '1/ssh -p .*': $T_TMP/onlyhere/gclab is not there or not executable" "$T_TMP/err")" 1
expect_eq "nothing ran on a refused host" "$(ls "$T_TMP/res/b/records.jsonl" "$T_TMP/res/c/records.jsonl" 2>/dev/null | wc -l)" 0

$M "$T_TMP/s.conf" --out "$T_TMP/res/b" --hosts "$T_TMP/hosts3" --return >"$T_TMP/b.log" 2>&1
expect_eq "with --return the matrix runs on node3" "$?" 0
expect_eq "--return: 8 records expected, $(wc -l <"$T_TMP/res/b/records.jsonl" 2>/dev/null) found, 2 per job, all from node3" \
    "$(records_of "$T_TMP/res/b/records.jsonl") $(hosts_of "$T_TMP/res/b/records.jsonl")" "$WANT node3"
expect_eq "--return: every run's pause file came back too" "$(ls "$T_TMP/res/b/pauses" | wc -l)" 8
$M "$T_TMP/s.conf" --out "$T_TMP/res/b" --hosts "$T_TMP/hosts3" --return >"$T_TMP/b2.log" 2>&1
expect_eq "--return: a rerun finds every job recorded" "$(grep -o '4 done, 0 to run' "$T_TMP/b2.log")" "4 done, 0 to run"
sshd_down
