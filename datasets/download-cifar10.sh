#!/usr/bin/env bash
# Downloads CIFAR-10 (binary version, 170 MB) for users with internet, checks its SHA-256 and unpacks the batches
# into build/cifar10/cifar-10-batches-bin/ (where `tt train cifar10-cnn` looks for them), and packs the test batch
# as build/datasets/cifar10-test.ttds for the milestone page.
# The course never needs this to build, test or serve: CIFAR-10 is optional. Usage: datasets/download-cifar10.sh [DEST]
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-build/cifar10}
url=https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz
sha256=c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd  # the archive as published (170,052,171 B)
archive=$dest/cifar-10-binary.tar.gz

mkdir -p "$dest"
if [ ! -f "$archive" ] || ! echo "$sha256  $archive" | sha256sum --check --status; then
  echo "downloading $url"
  if command -v curl > /dev/null; then curl -fL --retry 3 -o "$archive.part" "$url"
  else wget -O "$archive.part" "$url"; fi
  mv "$archive.part" "$archive"
fi
if ! echo "$sha256  $archive" | sha256sum --check --status; then
  echo "error: $archive does not have the expected SHA-256 $sha256 (a partial or altered download); delete it and retry" >&2
  exit 1
fi
tar -xzf "$archive" -C "$dest"
ls -l "$dest/cifar-10-batches-bin"
python3 datasets/pack.py --out build/datasets --only cifar10 --cifar "$dest/cifar-10-batches-bin"
echo "CIFAR-10 is in $dest/cifar-10-batches-bin: now run  build/native/tt train cifar10-cnn --cifar $dest/cifar-10-batches-bin"
