#!/usr/bin/env bash
# Puts the text files of Debian's `fortunes` (fortune-mod's quotations, plain text) into DEST: `apt-get download` +
# `dpkg -x`, nothing installed. datasets/hidden_text.py cuts the leaderboard's hidden TinyGPT text from them: English
# prose the site never ships (issue 17). Run by scripts/setup.sh; builds never download.
set -euo pipefail
dest=${1:?usage: fetch-fortunes.sh DEST}
if [ -f "$dest/wisdom" ]; then
  echo "fortunes: present in $dest"; exit 0
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
chmod 755 "$work"  # apt's download user must be able to write there
if ! (cd "$work" && apt-get -qq download fortunes 2>/dev/null); then
  [ "$(id -u)" -eq 0 ] || { echo "fortunes: apt-get download fortunes failed; run 'sudo apt-get update' and this script again" >&2; exit 1; }
  echo "fortunes: package lists are stale, updating them"
  apt-get update -q
  (cd "$work" && apt-get -qq download fortunes)
fi
deb=$(ls "$work"/fortunes_*.deb)
dpkg -x "$deb" "$work/x"
mkdir -p "$dest"
for f in "$work"/x/usr/share/games/fortunes/*; do
  case "$f" in *.dat|*.u8) ;; *) [ -f "$f" ] && cp "$f" "$dest/" ;; esac
done
cp "$work/x/usr/share/doc/fortunes/copyright" "$dest/copyright" 2>/dev/null || true
echo "fortunes: $(basename "$deb") -> $dest"
