#!/usr/bin/env bash
# Installs what a fresh Debian bookworm machine needs to build, serve and test the course. Idempotent: a second run
# with everything present only checks and takes seconds. Usage: scripts/setup.sh [--dev]
#   --dev  also the packages used only by developer scripts (PyTorch fixtures, numpy benchmark).
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(emscripten doctest-dev libcli11-dev cmake ninja-build g++ chromium python3 gzip dataset-fashion-mnist clang-format libstb-dev)
[ "${1:-}" = "--dev" ] && pkgs+=(python3-torch python3-numpy)

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }

step "Debian packages: ${pkgs[*]}"
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]}" >&2
    echo "This step needs root. Run:" >&2
    echo "  sudo sh -c '$cmd'" >&2
    echo "then run this script again." >&2
    exit 1
  fi
  echo "installing: ${missing[*]} (a few minutes on a fresh machine)"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
else
  echo "all present"
fi

step "Node.js"
command -v node >/dev/null || { echo "node is not installed: install Node.js >= 20 (with npm)" >&2; exit 1; }
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || { echo "node $(node --version) is too old: Node.js >= 20 is needed" >&2; exit 1; }
echo "node $(node --version)"

step "xsimd >= 13 headers (into build/third_party)"
bash scripts/fetch-xsimd.sh build/third_party/xsimd

step "Jane Austen's novels, TinyGPT's corpus (Debian r-cran-janeaustenr, unpacked into build/third_party)"
bash scripts/fetch-janeaustenr.sh build/third_party/janeaustenr

step "fortune-mod's quotations, the leaderboard's hidden TinyGPT text (Debian fortunes, unpacked into build/third_party)"
bash scripts/fetch-fortunes.sh build/third_party/fortunes

step "npm packages (pinned by package-lock.json)"
# Compared by content, not by time: a fresh clone's lockfile is always newer than anything installed.
stamp=node_modules/.tt-lock.sha256
want=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "node_modules is up to date"
else
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi
echo "setup done"
