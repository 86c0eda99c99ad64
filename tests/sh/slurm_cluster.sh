# tests/sh/slurm_cluster.sh — a single-node Slurm cluster of a test's own on
# loopback: munged, slurmctld and slurmd with their own SLURM_CONF, state and
# spool directories, free ports, munge socket and a fresh munge key (never
# /etc/slurm, never the system's key). Source it (after lib.sh), then:
#   slurm_up DIR     start it under DIR; exports SLURM_CONF; 0, or 1 with
#                    the reason in SLURM_WHY (the test then SKIPs, saying why)
#   slurm_down       stop every daemon it started, by recorded PID
# slurm_up installs an EXIT trap that calls slurm_down before lib.sh's cleanup.

SLURM_PIDS=()

slurm_down() {
    local p
    for p in "${SLURM_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${SLURM_PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    SLURM_PIDS=()
}

# A TCP port nobody listens on (the kernel picks it).
free_port() {
    python3 -S -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

slurm_up() {
    local d=$1 p
    for p in munged mungekey slurmctld slurmd sbatch squeue scancel sinfo; do
        command -v "$p" >/dev/null || PATH=$PATH:/usr/sbin command -v "$p" >/dev/null ||
            { SLURM_WHY="$p is not installed (scripts/deps.sh installs slurm-wlm and munge)"; return 1; }
    done
    trap 'slurm_down; rm -rf "$T_TMP"' EXIT
    mkdir -p "$d/key" "$d/run" "$d/state" "$d/spool" "$d/log"
    # munged wants every directory above its socket searchable by all (mktemp -d makes 0700)
    chmod 755 "$(dirname "$d")" "$d" "$d/run"; chmod 700 "$d/key"
    PATH=$PATH:/usr/sbin mungekey -c -k "$d/key/munge.key" || { SLURM_WHY="mungekey failed"; return 1; }
    chmod 400 "$d/key/munge.key"
    PATH=$PATH:/usr/sbin munged -F --socket="$d/run/munge.sock" --key-file="$d/key/munge.key" \
        --pid-file="$d/run/munged.pid" --log-file="$d/log/munged.log" --seed-file="$d/key/seed" \
        >"$d/log/munged.out" 2>&1 &
    SLURM_PIDS+=($!)
    for _ in $(seq 50); do [ -S "$d/run/munge.sock" ] && break; sleep 0.1; done
    [ -S "$d/run/munge.sock" ] || { SLURM_WHY="munged did not start: $(tail -1 "$d/log/munged.out")"; return 1; }
    local host; host=$(hostname -s)
    cat >"$d/slurm.conf" <<EOF
# Written by tests/sh/slurm_cluster.sh: a one-node cluster on 127.0.0.1 for one test.
ClusterName=gclabtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$d/run/munge.sock
CredType=cred/munge
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/run/slurmctld.pid
SlurmdPidFile=$d/run/slurmd.pid
SlurmctldLogFile=$d/log/slurmctld.log
SlurmdLogFile=$d/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
KillWait=2
NodeName=gclabnode NodeHostname=$host NodeAddr=127.0.0.1 CPUs=2 RealMemory=1000 State=UNKNOWN
PartitionName=gclabtest Nodes=gclabnode Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF=$d/slurm.conf
    PATH=$PATH:/usr/sbin slurmctld -D -f "$SLURM_CONF" >"$d/log/slurmctld.out" 2>&1 &
    SLURM_PIDS+=($!)
    PATH=$PATH:/usr/sbin slurmd -D -f "$SLURM_CONF" -N gclabnode >"$d/log/slurmd.out" 2>&1 &
    SLURM_PIDS+=($!)
    for _ in $(seq 300); do
        [ "$(sinfo -h -o %t 2>/dev/null)" = idle ] && return 0
        sleep 0.1
    done
    SLURM_WHY="the node never became idle: $(tail -2 "$d/log/slurmctld.out" "$d/log/slurmd.out" | tr '\n' ' ')"
    return 1
}
