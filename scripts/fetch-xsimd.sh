#!/usr/bin/env bash
# Puts xsimd >= 13 headers (Debian trixie's libxsimd-dev) into DEST/include/xsimd without touching the machine's
# apt configuration: a private apt state in a temporary folder, an archive address taken from the machine's own
# bookworm source, `apt-get download` and `dpkg -x`. Bookworm ships xsimd 8, which has no wasm simd128 arch.
set -euo pipefail
dest=${1:?usage: fetch-xsimd.sh DEST}
if [ -f "$dest/include/xsimd/xsimd.hpp" ]; then
  echo "xsimd: present in $dest"; exit 0
fi

# The archive URI the machine already uses for bookworm (deb822 first, then one-line sources).
uri=$(awk 'BEGIN{RS=""} /Suites:[^\n]*bookworm([ \n]|$)/ && /URIs:/ {
          match($0, /URIs:[ \t]*[^ \t\n]+/); s=substr($0, RSTART, RLENGTH); sub(/URIs:[ \t]*/, "", s); print s; exit }' \
        /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
if [ -z "$uri" ]; then
  uri=$(awk '$1=="deb" && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
fi
[ -n "$uri" ] || { echo "xsimd: could not find a bookworm source in /etc/apt to derive the archive address" >&2; exit 1; }

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/parts"
cat > "$work/parts/trixie.sources" <<SRC
Types: deb
URIs: $uri
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
opts=(-o Dir::Etc::sourcelist=- -o Dir::Etc::sourceparts="$work/parts" -o Dir::State::lists="$work/lists"
      -o Dir::Cache::archives="$work/archives" -o APT::Sandbox::User=root -o Debug::NoLocking=1)
echo "xsimd: reading trixie's package list (private apt state, machine configuration untouched)"
apt-get "${opts[@]}" -qq update
(cd "$work" && apt-get "${opts[@]}" -qq download libxsimd-dev)
deb=$(ls "$work"/libxsimd-dev_*.deb)
dpkg -x "$deb" "$work/x"
mkdir -p "$dest/include"
rm -rf "$dest/include/xsimd"
cp -r "$work/x/usr/include/xsimd" "$dest/include/xsimd"
echo "xsimd: $(basename "$deb") -> $dest/include/xsimd"
