#!/usr/bin/env bash
# Puts the text files of Debian's `fortunes` (fortune-mod's quotations, plain text) into DEST: `apt-get download` +
# `dpkg -x`, nothing installed. datasets/hidden_text.py cuts the leaderboard's hidden TinyGPT text from them: English
# prose the site never ships (issue 17). Run by scripts/setup.sh; builds never download.
set -euo pipefail
. "$(dirname "$0")/lib/deb-extract.sh"
dest=${1:?usage: fetch-fortunes.sh DEST}
if [ -f "$dest/wisdom" ]; then
  echo "fortunes: present in $dest"; exit 0
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
deb=$(deb_extract fortunes "$work")
mkdir -p "$dest"
for f in "$work"/x/usr/share/games/fortunes/*; do
  case "$f" in *.dat|*.u8) ;; *) [ -f "$f" ] && cp "$f" "$dest/" ;; esac
done
cp "$work/x/usr/share/doc/fortunes/copyright" "$dest/copyright" 2>/dev/null || true
echo "fortunes: $deb -> $dest"
