#!/usr/bin/env bash
# Puts the data of Debian's r-cran-janeaustenr (Jane Austen's six novels as R data, Project Gutenberg's public-domain
# texts) into DEST/data: `apt-get download` + `dpkg -x`, nothing installed, no R needed. datasets/austen.py packs it
# into build/datasets/austen.txt, TinyGPT's corpus. Run by scripts/setup.sh; builds never download.
set -euo pipefail
dest=${1:?usage: fetch-janeaustenr.sh DEST}
if [ -f "$dest/data/Rdata.rdb" ]; then
  echo "janeaustenr: present in $dest"; exit 0
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
chmod 755 "$work"  # apt's download user must be able to write there
if ! (cd "$work" && apt-get -qq download r-cran-janeaustenr 2>/dev/null); then
  [ "$(id -u)" -eq 0 ] || { echo "janeaustenr: apt-get download r-cran-janeaustenr failed; run 'sudo apt-get update' and this script again" >&2; exit 1; }
  echo "janeaustenr: package lists are stale, updating them"
  apt-get update -q
  (cd "$work" && apt-get -qq download r-cran-janeaustenr)
fi
deb=$(ls "$work"/r-cran-janeaustenr_*.deb)
dpkg -x "$deb" "$work/x"
mkdir -p "$dest"
rm -rf "$dest/data"
cp -r "$work/x/usr/lib/R/site-library/janeaustenr/data" "$dest/data"
cp "$work/x/usr/share/doc/r-cran-janeaustenr/copyright" "$dest/copyright"
echo "janeaustenr: $(basename "$deb") -> $dest/data"
