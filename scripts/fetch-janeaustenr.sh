#!/usr/bin/env bash
# Puts the data of Debian's r-cran-janeaustenr (Jane Austen's six novels as R data, Project Gutenberg's public-domain
# texts) into DEST/data: `apt-get download` + `dpkg -x`, nothing installed, no R needed. datasets/austen.py packs it
# into build/datasets/austen.txt, TinyGPT's corpus. Run by scripts/setup.sh; builds never download.
set -euo pipefail
. "$(dirname "$0")/lib/deb-extract.sh"
dest=${1:?usage: fetch-janeaustenr.sh DEST}
if [ -f "$dest/data/Rdata.rdb" ]; then
  echo "janeaustenr: present in $dest"; exit 0
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
deb=$(deb_extract r-cran-janeaustenr "$work")
mkdir -p "$dest"
rm -rf "$dest/data"
cp -r "$work/x/usr/lib/R/site-library/janeaustenr/data" "$dest/data"
cp "$work/x/usr/share/doc/r-cran-janeaustenr/copyright" "$dest/copyright"
echo "janeaustenr: $deb -> $dest/data"
