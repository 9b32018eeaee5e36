#!/usr/bin/env python3
"""Milestone 1 recipes, natively (ctest native.recipes): short runs of `tt train` are bit-for-bit reproducible, and
every committed asset in assets/ scores exactly its model card on the held-out set and clears its accuracy bar.

usage: test_recipes.py TT_EXECUTABLE   (run from the repository root; build/datasets must exist)
"""
import filecmp
import json
import os
import re
import subprocess
import sys
import tempfile

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

sys.exit(1 if failures else 0)
