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

# 2. The committed assets: `tt eval` agrees with the model card and clears the bar.
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
