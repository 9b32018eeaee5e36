#!/usr/bin/env python3
"""Milestone 1 recipes, natively (ctest native.recipes): short runs of `tt train` are bit-for-bit reproducible, and
every committed asset in assets/ scores exactly its model card on the held-out set and clears its accuracy bar.

usage: test_recipes.py TT_EXECUTABLE   (run from the repository root; build/datasets must exist)
"""
import filecmp
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib

TT = sys.argv[1]
BARS = {"xor-mlp": 1.0, "mnist-mlp": 0.95, "fashion-cnn": 0.89}  # the milestone's accuracy bars
failures = []


def run(*args):
    out = subprocess.run([TT, *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"FAILED: tt {' '.join(args)}\n{out.stdout}{out.stderr}")
    return out.stdout


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


# 1. Determinism: the same recipe twice (short schedules) gives identical files.
with tempfile.TemporaryDirectory() as tmp:
    for recipe, args in (("xor-mlp", []), ("mnist-mlp", ["--epochs", "1", "--limit", "1500"]),
                         ("fashion-cnn", ["--epochs", "1", "--limit", "300"])):
        files = []
        for run_id in ("a", "b"):
            out = os.path.join(tmp, f"{recipe}-{run_id}")
            os.makedirs(out)
            run("train", recipe, *args, "--out", out, "--quiet")
            files.append(os.path.join(out, f"{recipe}.safetensors"))
        check(filecmp.cmp(*files, shallow=False), f"{recipe} {' '.join(args)}: two runs write identical bytes")
        card = json.load(open(os.path.join(tmp, f"{recipe}-a", f"{recipe}.json")))
        check(card["command"] == " ".join(["tt", "train", recipe, *args]), f"{recipe}: the card records the command")

# 2. CIFAR-10 (never bundled): on small synthetic files in the official binary format, the recipe trains, evaluates
#    and predicts; without the files, it says how to get them.
with tempfile.TemporaryDirectory() as tmp:
    missing = subprocess.run([TT, "train", "cifar10-cnn", "--cifar", tmp, "--out", tmp], capture_output=True, text=True)
    check(missing.returncode != 0 and "download-cifar10.sh" in missing.stderr,
          "cifar10-cnn without data: an error that names datasets/download-cifar10.sh")
    batches = os.path.join(tmp, "cifar-10-batches-bin")
    os.makedirs(batches)
    state = 12345
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        records = bytearray()
        for k in range(40):  # class k % 10: a colour plane per class, so there is something to learn
            label = k % 10
            state = (state * 1103515245 + 12345) % 2**31
            noise = bytes((state >> (i % 16)) & 31 for i in range(3072))
            plane = [bytes([(200 if c == label % 3 else 30) + (label * 5)] * 1024) for c in range(3)]
            records += bytes([label]) + bytes(min(255, a + b) for a, b in zip(b"".join(plane), noise))
        open(os.path.join(batches, name), "wb").write(records)
    run("train", "cifar10-cnn", "--epochs", "1", "--cifar", batches, "--out", tmp, "--quiet")
    card = json.load(open(os.path.join(tmp, "cifar10-cnn.json")))
    check(card["data"]["train_examples"] == 200 and card["test_count"] == 40 and card["input_shape"] == "3x32x32",
          "cifar10-cnn trains on the five synthetic batches and tests on test_batch.bin")
    line = run("eval", "cifar10-cnn", "--cifar", batches, "--out", tmp)
    check(f"test: {card['test_correct']}/40 = " in line, f"cifar10-cnn: tt eval agrees with its card ({line.strip()})")
    index = json.load(open(os.path.join(tmp, "index.json")))
    check([a["name"] for a in index] == ["cifar10-cnn"], "assets index lists the trained model")

# 2b. CIFAR-10 as an image folder (how the JPEG copy in ../shared/data is read; never a test dependency): small PNGs
#     written here. The weights do not depend on the thread count; eval agrees with the card; a packed .ttds of test
#     images (the committed gallery's format) serves eval and predict but not training.
def png(path, rgb):  # 32x32 RGB, rgb: 3072 bytes, row after row of (r, g, b)
    rows = b"".join(b"\0" + rgb[y * 96:(y + 1) * 96] for y in range(32))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    ihdr = struct.pack(">IIBBBBB", 32, 32, 8, 2, 0, 0, 0)
    open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows)) +
                           chunk(b"IEND", b""))


with tempfile.TemporaryDirectory() as tmp:
    folder = os.path.join(tmp, "my-cifar")
    classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    state = 777
    for split, per_class in (("train", 6), ("test", 3)):
        for label, name in enumerate(classes):
            os.makedirs(os.path.join(folder, split, name))
            for k in range(per_class):
                pixels = bytearray()
                for i in range(1024):  # a colour per class, noise, and a bright left half for even classes
                    state = (state * 1103515245 + 12345) % 2**31
                    base = 120 if (label % 2 == 0 and i % 32 < 16) else 0
                    pixels += bytes(min(255, base + (90 if c == label % 3 else 20) + label * 8 + ((state >> (8 + c)) & 31))
                                    for c in range(3))
                png(os.path.join(folder, split, name, f"{k:04d}.png"), bytes(pixels))
    outs = []
    for threads in ("1", "2"):
        out = os.path.join(tmp, f"out-j{threads}")
        os.makedirs(out)
        run("train", "cifar10-cnn", "--epochs", "2", "--cifar", folder, "--out", out, "--quiet", "-j", threads)
        outs.append(out)
    check(filecmp.cmp(*(os.path.join(o, "cifar10-cnn.safetensors") for o in outs), shallow=False),
          "cifar10-cnn on an image folder: -j 1 and -j 2 write identical weights")
    card = json.load(open(os.path.join(outs[1], "cifar10-cnn.json")))
    check(card["data"]["train_examples"] == 60 and card["test_count"] == 30 and card["input_shape"] == "3x32x32",
          "cifar10-cnn reads train/<class>/ and test/<class>/ of an image folder")
    check(card["data"]["source"] == "CIFAR-10: image folder my-cifar" and card["engine"] == "native, 2 threads",
          f"the card names the image folder and the threads ({card['data']['source']}, {card['engine']})")
    check(card["training"]["augmentation"] == "random shifts up to 4 px (zero fill), horizontal flips",
          f"the card names the augmentation ({card['training']['augmentation']})")
    line = run("eval", "cifar10-cnn", "--cifar", folder, "--out", outs[1])
    check(f"test: {card['test_correct']}/30 = " in line, f"cifar10-cnn: tt eval on the folder agrees ({line.strip()})")
    # The test images packed (tt pack-images, in class order as the folder reader) score the same.
    shard = os.path.join(tmp, "test.ttds")
    run("pack-images", os.path.join(folder, "test"), shard)
    line = run("eval", "cifar10-cnn", "--cifar", shard, "--out", outs[1])
    check(f"test: {card['test_correct']}/30 = " in line, f"cifar10-cnn: tt eval on its .ttds agrees ({line.strip()})")
    lines = run("predict", "cifar10-cnn", "0", "29", "--cifar", shard, "--out", outs[1]).splitlines()
    check(len(lines) == 2 and lines[0].startswith("0 label 0 predicted ") and lines[1].startswith("29 label 9 "),
          f"tt predict reads the .ttds ({lines})")
    refused = subprocess.run([TT, "train", "cifar10-cnn", "--cifar", shard, "--out", tmp], capture_output=True, text=True)
    check(refused.returncode != 0 and "is a packed set of test images: training needs" in refused.stderr,
          f"training on a .ttds of test images is refused with a reason ({refused.stderr.strip()})")

# 3. The committed assets: `tt eval` agrees with the model card and clears the bar.
for name, bar in BARS.items():
    card = json.load(open(os.path.join("assets", f"{name}.json")))
    line = run("eval", name)
    m = re.search(r"test: (\d+)/(\d+) = ", line)
    check(m is not None, f"{name}: tt eval prints the accuracy ({line.strip()})")
    if m:
        correct, total = int(m.group(1)), int(m.group(2))
        check((correct, total) == (card["test_correct"], card["test_count"]),
              f"{name}: tt eval {correct}/{total} equals the model card {card['test_correct']}/{card['test_count']}")
        check(correct >= bar * total, f"{name}: {correct}/{total} clears the bar of {bar:.0%}")

# 4. CIFAR-10's committed asset (trained on the JPEG copy, which tests never read): its card says so, and it runs on
#    the committed gallery, 200 test images, 20 of each class interleaved, as milestone 1 shows them.
card = json.load(open(os.path.join("assets", "cifar10-cnn.json")))
check(card["data"]["source"].startswith("CIFAR-10 (JPEG copy)") and card["test_count"] == 10000,
      f"cifar10-cnn: the card names the JPEG copy and its 10,000 test images ({card['data']['source']})")
gallery = open(os.path.join("assets", "cifar10-gallery.ttds"), "rb").read()
check(gallery[:4] == b"TTDS" and struct.unpack_from("<7I", gallery, 4) == (1, 200, 3, 32, 32, 10, 0) and
      list(gallery[32:232]) == [i % 10 for i in range(200)], "cifar10-gallery.ttds: 200 images, classes interleaved")
line = run("eval", "cifar10-cnn", "--cifar", os.path.join("assets", "cifar10-gallery.ttds"))
m = re.search(r"test: (\d+)/200 = ", line)
check(m is not None, f"cifar10-cnn: tt eval on the gallery ({line.strip()})")

sys.exit(1 if failures else 0)
