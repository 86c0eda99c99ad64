# tests/sh/sshd_local.sh — sshd daemons of a test's own on 127.0.0.1: own
# config, host key, port and authorized key; each in a UTS namespace of its
# own with its own host name (so records say which "machine" ran them), and
# optionally in a mount namespace where some directories are hidden under an
# empty tmpfs (a host that does not share them). Source it (after lib.sh):
#   sshd_up DIR NAME [HIDE...]  start one; sets SSHD_LOGIN to its GNU parallel
#                               sshlogin (ssh -p PORT ... root@127.0.0.1);
#                               0, or 1 with the reason in SSHD_WHY
#   sshd_down                   stop every sshd it started, by recorded PID
# sshd_up installs an EXIT trap that calls sshd_down before lib.sh's cleanup.

SSHD_PIDS=()

sshd_down() {
    local p
    for p in "${SSHD_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${SSHD_PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    SSHD_PIDS=()
}

sshd_up() {
    local d=$1 name=$2; shift 2
    local hide=("$@") sshd=/usr/sbin/sshd port
    [ -x "$sshd" ] || { SSHD_WHY="$sshd is not installed (scripts/deps.sh installs openssh-server)"; return 1; }
    unshare -u -m true 2>/dev/null || { SSHD_WHY="unshare -u -m is not permitted here"; return 1; }
    trap 'sshd_down; rm -rf "$T_TMP"' EXIT
    mkdir -p "$d"
    [ -f "$d/../client_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$d/../client_key" || return 1
    ssh-keygen -q -t ed25519 -N '' -f "$d/host_key" || return 1
    cp "$d/../client_key.pub" "$d/authorized_keys"
    port=$(python3 -S -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    cat >"$d/sshd_config" <<EOF
# Written by tests/sh/sshd_local.sh for one test: 127.0.0.1 only, key login only.
ListenAddress 127.0.0.1
Port $port
HostKey $d/host_key
PidFile $d/sshd.pid
AuthorizedKeysFile $d/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
MaxStartups 50
MaxSessions 50
EOF
    # Debian's sshd insists on its privilege separation directory.
    [ -d /run/sshd ] || mkdir -p -m 0755 /run/sshd
    local script='sshd=$1 conf=$2; hostname "$3"; shift 3
        for h; do mount -t tmpfs -o size=1m gclab-hidden "$h" || exit 1; done
        exec "$sshd" -D -e -f "$conf"'
    unshare -u -m sh -c "$script" sh "$sshd" "$d/sshd_config" "$name" "${hide[@]}" >"$d/sshd.log" 2>&1 </dev/null &
    SSHD_PIDS+=($!)
    local login="ssh -p $port -i $d/../client_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=$d/known_hosts -o BatchMode=yes -o LogLevel=ERROR root@127.0.0.1"
    for _ in $(seq 100); do
        $login true 2>/dev/null && { SSHD_LOGIN=$login; return 0; }
        sleep 0.1
    done
    SSHD_WHY="sshd on 127.0.0.1:$port did not accept the test's key: $(tail -2 "$d/sshd.log" | tr '\n' ' ')"
    return 1
}
