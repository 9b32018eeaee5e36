#!/usr/bin/env python3
"""CIFAR-10 on the class leaderboard, when the instructor provides it (ctest native.leaderboard_cifar).

The real data is never a test dependency: the test writes a small archive in CIFAR-10's binary format
(cifar-10-binary.tar.gz holding cifar-10-batches-bin/test_batch.bin: records of a label byte + 3x32x32 pixels),
with every image distinct, and a seeded random cifar10-cnn model. The labels are set from what that model predicts
(`tt predict`), every third one shifted to a wrong class, so the accuracy the board must show is known by hand.

- datasets/pack.py packs the archive's test half for the site (cifar10-test.ttds); `serve.py leaderboard-init
  --cifar ARCHIVE` packs the other half into the class folder: disjoint, together the whole batch, the class's file
  byte for byte the hidden shard pack.py writes, no hidden image in anything the site serves, the class folder's
  file unreachable over HTTP;
- the model submitted for task cifar10 is ranked with public and private accuracy equal to the hand-derived counts
  and to `tt eval cifar10-cnn` (train.cpp's evaluation, another code path) on the same halves;
- bad CIFAR sources (truncated archive, not gzip, the Python version, records cut short, a label over 9, a missing
  path) stop leaderboard-init with a message naming the file and the problem, and create no class folder.

usage: test_leaderboard_cifar.py TT_EXECUTABLE
"""
import io
import json
import os
import random
import re
import struct
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import leaderboard_harness as H  # noqa: E402

TT = os.path.realpath(sys.argv[1])
N = 120  # records in the generated test batch: 60 for the site, 60 hidden
RECORD = 3073
# cifar10-cnn's layers (engine/cli/recipes.cpp): (Sequential index, weight shape); 1-D shapes are BatchNorm2d's.
ARCH = [("0", [16, 3, 3, 3]), ("1", [16]), ("4", [32, 16, 3, 3]), ("5", [32]), ("7", [32, 32, 3, 3]), ("8", [32]),
        ("11", [64, 32, 3, 3]), ("12", [64]), ("14", [64, 64, 3, 3]), ("15", [64]), ("20", [10, 64])]
ARCH_TEXT = ("conv:3:16:3:1 bn:16 relu maxpool:2 conv:16:32:3:1 bn:32 relu conv:32:32:3:1 bn:32 relu maxpool:2 "
             "conv:32:64:3:1 bn:64 relu conv:64:64:3:1 bn:64 relu maxpool:2 avgpool:4 flatten linear:64:10")
failures = []


def check(ok, what, detail=""):
    print(("ok    " if ok else "FAIL  ") + what + ("" if ok else f"\n      {detail}"))
    if not ok:
        failures.append(what)


def images(seed):
    """N distinct images: seeded noise around a random colour per image (so that a random network does not give them
    all one class), the record's number in its first two pixels."""
    rng = random.Random(seed)
    out = []
    for i in range(N):
        colour = [rng.randrange(256) for _ in range(3)]
        # noise in -40..40 around the colour, clipped: random bytes through a lookup table (fast in pure Python)
        planes = b"".join(rng.randbytes(1024).translate(bytes(min(255, max(0, colour[c] + v % 81 - 40))
                                                              for v in range(256))) for c in range(3))
        out.append(struct.pack("<H", i) + planes[2:])
    return out


def test_batch(labels, pixels):
    return b"".join(bytes([y]) + p for y, p in zip(labels, pixels))


def write_archive(path, members):
    """A .tar.gz of {name: bytes}, like the official cifar-10-binary.tar.gz."""
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def random_cnn(seed):
    """cifar10-cnn's state dict (fp32 safetensors): weights uniform in +-sqrt(6/fan_in), BatchNorm's scale, shift and
    running statistics near 1, 0, 0 and 1 (not quite the identity): a random net whose classes vary with the image."""
    import array
    rng = random.Random(seed)
    header, blobs, offset = {}, [], 0

    def add(name, dims, values):
        nonlocal offset
        raw = array.array("f", values).tobytes()
        header[name] = {"dtype": "F32", "shape": dims, "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)

    for layer, shape in ARCH:
        n = shape[0]
        if len(shape) == 1:  # BatchNorm2d
            add(f"{layer}.weight", shape, (rng.uniform(0.8, 1.2) for _ in range(n)))
            add(f"{layer}.bias", shape, (rng.uniform(-0.05, 0.05) for _ in range(n)))
            add(f"{layer}.running_mean", shape, (rng.uniform(-0.05, 0.05) for _ in range(n)))
            add(f"{layer}.running_var", shape, (rng.uniform(0.8, 1.2) for _ in range(n)))
            add(f"{layer}.num_batches_tracked", [], [0.0])
            continue
        count = 1
        for d in shape:
            count *= d
        bound = (6 / (count // n)) ** 0.5  # Kaiming's for ReLU: the signal keeps its size through the 5 convs
        add(f"{layer}.weight", shape, (rng.uniform(-bound, bound) for _ in range(count)))
        add(f"{layer}.bias", [n], (rng.uniform(-0.05, 0.05) for _ in range(n)))
    header["__metadata__"] = {"tt.arch": ARCH_TEXT}
    return H.write_safetensors(header, b"".join(blobs))


def tt_eval(model_path, batch_bytes, folder):
    """Correct predictions counted by `tt eval cifar10-cnn` on a test_batch.bin of these records."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "test_batch.bin"), "wb") as f:
        f.write(batch_bytes)
    out = subprocess.run([TT, "eval", "cifar10-cnn", "--cifar", folder, "--weights", model_path],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"test: (\d+)/(\d+)", out)
    return int(m.group(1)), int(m.group(2))


def init(tmp, name, cifar):
    class_dir = os.path.join(tmp, name)
    empty = os.path.join(tmp, "no-hidden")  # only the CIFAR task: the other hidden sets are not needed here
    os.makedirs(empty, exist_ok=True)
    r = subprocess.run([sys.executable, os.path.join(H.ROOT, "serve.py"), "leaderboard-init", class_dir, "--tokens",
                        "2", "--hidden", empty, "--cifar", cifar], capture_output=True, text=True)
    return r, class_dir


def shard_images(data):
    _, n, c, h, w, _, _ = struct.unpack("<7I", data[4:32])
    size = c * h * w
    return data[32:32 + n], [data[32 + n + i * size:32 + n + (i + 1) * size] for i in range(n)]


def main():
    tmp = H.temp_dir()
    server = None
    try:
        src = os.path.join(tmp, "src")
        os.makedirs(src)
        model = random_cnn(20261202)
        model_path = os.path.join(tmp, "cnn.safetensors")
        with open(model_path, "wb") as f:
            f.write(model)
        pixels = images(17)
        batch_dir = os.path.join(src, "cifar-10-batches-bin")
        os.makedirs(batch_dir)
        with open(os.path.join(batch_dir, "test_batch.bin"), "wb") as f:
            f.write(test_batch([0] * N, pixels))
        out = subprocess.run([TT, "predict", "cifar10-cnn", "--cifar", batch_dir, "--weights", model_path] +
                             [str(i) for i in range(N)], capture_output=True, text=True, check=True).stdout
        predicted = [int(m.group(1)) for m in re.finditer(r"predicted (\d+)", out)]
        check(len(predicted) == N and len(set(predicted)) >= 2,
              f"tt predict gives the random model's class for all {N} images, more than one class",
              predicted)
        labels = [(p + 1) % 10 if i % 3 == 0 else p for i, p in enumerate(predicted)]  # every third one wrong
        batch = test_batch(labels, pixels)
        archive = os.path.join(tmp, "cifar-10-binary.tar.gz")
        write_archive(archive, {"cifar-10-batches-bin/test_batch.bin": batch,
                                "cifar-10-batches-bin/batches.meta.txt": b"airplane\nautomobile\n"})

        # ---- the site's half and the class's half ---------------------------------------------------------------
        site_datasets = os.path.join(tmp, "site", "datasets")
        packed_hidden = os.path.join(tmp, "packed-hidden")
        subprocess.run([sys.executable, os.path.join(H.ROOT, "datasets", "pack.py"), "--out", site_datasets,
                        "--hidden", packed_hidden, "--only", "cifar10", "--cifar", archive],
                       check=True, capture_output=True)
        r, class_dir = init(tmp, "class", archive)
        check(r.returncode == 0 and "cifar10: hidden set cifar10-hidden.ttds (60 images)" in r.stdout,
              "leaderboard-init --cifar ARCHIVE sets up the cifar10 task with 60 hidden images", r.stdout + r.stderr)
        with open(os.path.join(class_dir, "hidden", "cifar10-hidden.ttds"), "rb") as f:
            hidden = f.read()
        with open(os.path.join(packed_hidden, "cifar10-hidden.ttds"), "rb") as f:
            check(f.read() == hidden, "the class's hidden set is byte for byte the one datasets/pack.py writes")
        with open(os.path.join(site_datasets, "cifar10-test.ttds"), "rb") as f:
            served = f.read()
        hidden_labels, hidden_images = shard_images(hidden)
        _, served_images = shard_images(served)
        check(len(hidden_images) == 60 and len(served_images) == 60 and
              not set(hidden_images) & set(served_images) and set(hidden_images) | set(served_images) == set(pixels),
              "hidden and served halves are disjoint and together the whole test batch")
        order = [pixels.index(img) for img in hidden_images]
        check(order == sorted(order) and list(hidden_labels) == [labels[i] for i in order],
              "the hidden set keeps the batch's order and labels", order)
        config = json.load(open(os.path.join(class_dir, "config.json")))
        check([t["id"] for t in config["tasks"]] == ["cifar10"] and config["tasks"][0]["hiddenCount"] == 60,
              "config.json: the cifar10 task with hiddenCount 60", config["tasks"])

        server = H.Server(tmp, class_dir, TT)
        status, body, _ = server.request("GET", "/datasets/cifar10-test.ttds")
        check(status == 200 and body == served, "the site serves the test half", status)
        site_files = []
        for folder, _, files in os.walk(os.path.join(tmp, "site")):
            site_files += [os.path.join(folder, f) for f in files]
        leaked = [p for p in site_files if any(img in open(p, "rb").read() for img in hidden_images)]
        check(site_files and not leaked, f"no hidden image in any of the {len(site_files)} files the site serves",
              leaked)
        for path in ("/hidden/cifar10-hidden.ttds", "/datasets/cifar10-hidden.ttds",
                     "/class/hidden/cifar10-hidden.ttds", "/datasets/..%2f..%2fclass%2fhidden%2fcifar10-hidden.ttds",
                     "/api/leaderboard/hidden/cifar10"):
            status, body, _ = server.request("GET", path)
            check(status == 404 and hidden_images[0] not in body, f"GET {path} -> 404, no hidden image", status)
        status, tasks = server.json("GET", "/api/leaderboard/tasks")
        cifar = [t for t in tasks.get("tasks", []) if t["id"] == "cifar10"]
        check(status == 200 and cifar and cifar[0]["input"] == [3, 32, 32] and len(cifar[0]["classes"]) == 10,
              "GET tasks lists cifar10 (3x32x32, 10 classes)", tasks)

        # ---- a ranked entry with the right accuracy -------------------------------------------------------------
        token = [line.split(",")[0] for line in open(os.path.join(class_dir, "tokens.csv")) if ",student," in line][0]
        status, sub = server.submit(token, model, task="cifar10", name="carol")
        check(status == 202, f"the cifar10-cnn model is accepted for task cifar10: {status} {sub}")
        done = server.wait_done(sub["id"])
        res = done.get("result", {})
        pub_expected = sum(1 for i in order[:30] if i % 3 != 0)  # public: the hidden set's first 30 images
        priv_expected = sum(1 for i in order[30:] if i % 3 != 0)
        pub_c, pub_n = tt_eval(model_path, b"".join(bytes([hidden_labels[k]]) + hidden_images[k] for k in range(30)),
                               os.path.join(tmp, "eval-public"))
        priv_c, priv_n = tt_eval(model_path,
                                 b"".join(bytes([hidden_labels[k]]) + hidden_images[k] for k in range(30, 60)),
                                 os.path.join(tmp, "eval-private"))
        check(done["status"] == "done" and (pub_n, priv_n) == (30, 30) and pub_c == pub_expected and
              res.get("accuracy") == pub_expected / 30,
              f"public accuracy {res.get('accuracy')} = the hand count {pub_expected}/30 = tt eval's {pub_c}/{pub_n}",
              done)
        check(priv_c == priv_expected and 0 < priv_expected < 30,
              f"private part: tt eval counts {priv_c}/30 = the hand count {priv_expected}/30")
        ev = subprocess.run([TT, "evaluate", "--task", "cifar10", "--model", model_path, "--data",
                             os.path.join(class_dir, "hidden", "cifar10-hidden.ttds"), "--public-count", "30"],
                            capture_output=True, text=True)
        judged = json.loads(ev.stdout) if ev.stdout.strip() else {}
        check(judged.get("private", {}).get("correct") == priv_expected and
              judged.get("public", {}).get("correct") == pub_expected,
              "tt evaluate on the class's hidden set counts the same public and private parts", ev.stdout + ev.stderr)
        status, board = server.json("GET", "/api/leaderboard/board?task=cifar10")
        entries = board.get("entries", [])
        check(status == 200 and len(entries) == 1 and entries[0]["rank"] == 1 and entries[0]["name"] == "carol" and
              entries[0]["accuracy"] == pub_expected / 30 and entries[0]["bytes"] == len(model),
              "the board ranks it first with that accuracy and the file's size", board)
        server.stop()
        server = None

        # ---- bad CIFAR sources: a clear error at init, no class folder ------------------------------------------
        with open(archive, "rb") as f:
            whole = f.read()
        bad = {}
        bad["truncated.tar.gz"] = (whole[:len(whole) // 2],
                                   r"not a readable \.tar\.gz archive \(truncated or corrupt\)")
        bad["test_batch.bin"] = (batch[:RECORD * 3 + 100], r"not a whole number of CIFAR-10 records")
        bad["labels.bin"] = (bytes([12]) + batch[1:], r"record 0 has label 12 \(CIFAR-10 labels are 0\.\.9\)")
        bad["empty.bin"] = (b"", r"is 0 bytes, not a whole number of CIFAR-10 records")
        python = os.path.join(tmp, "bad-python.tar.gz")
        write_archive(python, {"cifar-10-batches-py/test_batch": b"\x80\x02}q\x00."})
        other = os.path.join(tmp, "bad-other.tar.gz")
        write_archive(other, {"images/cat.png": b"\x89PNG"})
        cases = [(os.path.join(tmp, "bad-" + name), data, pattern) for name, (data, pattern) in bad.items()]
        for path, data, _ in cases:
            with open(path, "wb") as f:
                f.write(data)
        cases += [(python, None, r"the Python version of CIFAR-10; the binary version"),
                  (other, None, r"has no cifar-10-batches-bin/test_batch\.bin \(is it the CIFAR-10 binary version\?\)"),
                  (os.path.join(tmp, "missing.tar.gz"), None, r"no such file")]
        for k, (path, _, pattern) in enumerate(cases):
            r, class_dir = init(tmp, f"bad-class-{k}", path)
            message = r.stderr.strip()
            check(r.returncode != 0 and message.startswith(f"leaderboard-init: --cifar {path}: ") and
                  re.search(pattern, message) and "Traceback" not in r.stderr and not os.path.exists(class_dir),
                  f"{os.path.basename(path)}: {message}", r.stdout + r.stderr)
    finally:
        if server:
            server.stop()
        H.remove(tmp)
    print(f"{len(failures)} failures" if failures else "all ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
