#!/usr/bin/env bash
# Install the Debian packages gclab needs, only those missing.
# Idempotent: checks first; runs `apt-get update` once and `apt-get install -y`
# only when something is absent. Safe to run on every CI start.
set -euo pipefail

packages=(
  build-essential      # cc, make
  clang                # sanitizer builds, libFuzzer
  libclang-rt-14-dev   # ASan/UBSan/libFuzzer runtimes for clang 14
  llvm                 # llvm-cov, llvm-profdata, llvm-symbolizer
  libgc-dev            # Boehm-Demers-Weiser collector: the `bdw` engine
  libjansson-dev       # JSON parsing in tests and the matrix runner
  afl++                # AFL++ fuzzing
  hyperfine            # whole-process timing
  parallel             # matrix runner (the local and ssh launcher)
  slurm-wlm munge      # the Slurm test's own single-node cluster (tests/sh/test_slurm.sh)
  openssh-server rsync # the ssh test's own sshd on 127.0.0.1 (tests/sh/test_ssh.sh); rsync: parallel --return
  zip unzip            # seed-corpus zips for ClusterFuzzLite (.clusterfuzzlite/build.sh)
  python3-matplotlib python3-numpy python3-pandas   # plots (/usr/bin/python3)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
