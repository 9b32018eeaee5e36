#!/usr/bin/env python3
"""The committed TinyGPT asset (ctest native.tinygpt_asset): assets/tinygpt.safetensors generates reproducibly
(seeded twice equal, KV cache or not), and — when the packed corpus build/datasets/austen.txt exists (`make setup`,
then the native build packs it) — it is the corpus the card names (sha256) and a fresh `tt eval tinygpt` gives the
card's validation loss exactly. Without the corpus that part is skipped with the reason printed and exit code 77,
which ctest reports as skipped, not passed.

usage: test_tinygpt_asset.py TT_EXECUTABLE   (run from the repository root)
"""
import hashlib
import json
import os
import re
import subprocess
import sys

TT = sys.argv[1]
CARD = json.load(open("assets/tinygpt.json"))
CORPUS = "build/datasets/austen.txt"
failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


def run(*args):
    out = subprocess.run([TT, *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"FAILED: tt {' '.join(args)}\n{out.stdout}{out.stderr}")
    return out.stdout


args = ["generate", "--prompt", "It is a truth", "--tokens", "100", "--temperature", "0.8", "--top-k", "20"]
a = run(*args, "--seed", "42")
check(a == run(*args, "--seed", "42") and a.startswith("It is a truth") and len(a) == 13 + 100 + 1,
      "the asset: the same seed twice, the same text")
check(a == run(*args, "--seed", "42", "--no-cache"), "the asset: with and without the KV cache, the same text")
print("sample (seed 42):", a.strip())
check(CARD["config"]["block_size"] == 128 and 500_000 <= CARD["parameters"] <= 1_500_000,
      f"the asset's size: context {CARD['config']['block_size']}, {CARD['parameters']} parameters")

if not os.path.exists(CORPUS):
    print(f"SKIP  the card's validation loss: {CORPUS} is missing (run `make setup`, then `make native` packs it)")
    sys.exit(1 if failures else 77)
with open(CORPUS, "rb") as f:
    check(hashlib.sha256(f.read()).hexdigest() == CARD["data"]["sha256"], f"{CORPUS} is the corpus the card names")
out = run("eval", "tinygpt")
m = re.search(r"loss ([0-9.e+-]+) nats/char", out)
check(m is not None and float(m.group(1)) == CARD["val_loss"],
      f"tt eval tinygpt gives the card's validation loss exactly: {m and m.group(1)} vs {CARD['val_loss']}")
if failures:
    print(f"\n{len(failures)} check(s) failed")
    sys.exit(1)
print("\nall checks passed")
