#!/usr/bin/env python3
"""Milestone 3's native half (ctest native.tinygpt): the corpus packer's R reader, `tt train tinygpt`, `tt eval
tinygpt` and `tt generate`, on a small text written here (no corpus needed):
  - datasets/austen.py reads a lazy-load database (.rdx + .rdb) this test serialises, paragraphs and normalises;
  - two short trainings write identical bytes; the asset's metadata says what a loader needs (tt.gpt, tt.vocab);
  - `tt eval tinygpt` on the same text prints the card's validation loss exactly;
  - `tt generate`: the same seed twice the same text, with and without the KV cache the same text, greedy
    reproducible; clear errors for a character outside the vocabulary, a missing asset and a cache overflow.

usage: test_tinygpt.py TT_EXECUTABLE   (run from the repository root)
"""
import filecmp
import gzip
import hashlib
import importlib.util
import json
import math
import os
import random
import re
import struct
import subprocess
import sys
import tempfile
import zlib

TT = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
spec = importlib.util.spec_from_file_location("austen", os.path.join(ROOT, "datasets", "austen.py"))
austen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(austen)
failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


def tt(*args):
    return subprocess.run([TT, *args], capture_output=True, text=True)


def run(*args):
    out = tt(*args)
    if out.returncode != 0:
        raise SystemExit(f"FAILED: tt {' '.join(args)}\n{out.stdout}{out.stderr}")
    return out.stdout


def safetensors_metadata(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return json.loads(f.read(n))["__metadata__"]


# --- 1. The R reader, on R serialisations written here (XDR, as R's serialize() writes them) -----------------------
def xdr_int(v):
    return struct.pack(">i", v)


def r_charsxp(s):
    if s is None:
        return xdr_int(9) + xdr_int(-1)
    b = s.encode("utf-8")
    return xdr_int(9 | (1 << 15)) + xdr_int(len(b)) + b  # UTF8_MASK (8) << 12


def r_strsxp(items):
    return xdr_int(16) + xdr_int(len(items)) + b"".join(r_charsxp(s) for s in items)


def r_header(version):
    head = b"X\n" + xdr_int(version) + xdr_int(0x040201) + xdr_int(0x030500)
    return head + (xdr_int(5) + b"UTF-8" if version == 3 else b"")


def r_named_list(names, values):
    """A VECSXP with a names attribute: the pairlist (names = STRSXP), the symbol 'names' written once."""
    body = xdr_int(19 | (1 << 9)) + xdr_int(len(values)) + b"".join(values)
    attr = xdr_int(2 | (1 << 10)) + xdr_int(1) + r_charsxp("names") + r_strsxp(names) + xdr_int(254)
    return body + attr


def r_ints(values):
    return xdr_int(13) + xdr_int(len(values)) + b"".join(xdr_int(v) for v in values)


books = {
    "emma": ["EMMA", "", "By Jane Austen", "", "\u201cMy dear,\u201d said she\u2014with", "a smile\u2026",
             "", "", "It was \u2018late\u2019 \u2013 too   late.", None],
    "persuasion": ["Persuasion", "", "Sir Walter Elliot,", "of Kellynch Hall.", "", "\u00a3 five"],
}
version_of = {"emma": 3, "persuasion": 2}
with tempfile.TemporaryDirectory() as tmp:
    rdb, index = b"", []
    for name in sorted(books):
        raw = r_header(version_of[name]) + r_strsxp(books[name])
        block = struct.pack(">I", len(raw)) + zlib.compress(raw)
        index.append(r_ints([len(rdb), len(block)]))
        rdb += block
    rdx = r_header(3) + r_named_list(["variables", "references", "compressed"],
                                     [r_named_list(sorted(books), index), xdr_int(254), r_ints([1])])
    os.makedirs(os.path.join(tmp, "data"))
    with open(os.path.join(tmp, "data", "Rdata.rdb"), "wb") as f:
        f.write(rdb)
    with open(os.path.join(tmp, "data", "Rdata.rdx"), "wb") as f:
        f.write(gzip.compress(rdx))
    read = austen.read_database(os.path.join(tmp, "data", "Rdata.rdx"), os.path.join(tmp, "data", "Rdata.rdb"))
    check(read == books, "austen.py reads back both character vectors (serialisation versions 3 and 2, an NA)")
    text, meta = austen.pack(read)
    want = ('EMMA\nBy Jane Austen\n"My dear," said she-with a smile...\nIt was \'late\' - too late.\n\n'
            'Persuasion\nSir Walter Elliot, of Kellynch Hall.\n\u00a3 five\n')
    check(text == want, "austen.pack: one paragraph per line, quotes/dashes/ellipsis normalised, novels apart")
    check(meta["characters"] == len(want) and meta["vocabulary"] == "".join(sorted(set(want))),
          "austen.json: character count and vocabulary")
    spans = [text[a:b] for a, b in meta["validation"]]
    check(spans == ["It was 'late' - too late.\n", "\u00a3 five\n"] and
          all(meta["train"][i][1] == meta["validation"][i][0] for i in range(2)),
          "split: each novel's last 10% from a line start is validation, the rest before it training")
    bad = bytearray(rdb)
    bad[4:6] = b"\x00\x00"  # the zlib header of the first block
    try:
        austen.read_block(bytes(bad), 0, len(block))
        check(False, "a corrupt block is an error")
    except (zlib.error, austen.RFormatError):
        check(True, "a corrupt block is an error")
    try:
        austen.unserialize(b"A\n" + rdx[2:])
        check(False, "a non-XDR serialisation is an error naming the format")
    except austen.RFormatError as e:
        check("XDR" in str(e), "a non-XDR serialisation is an error naming the format")

# --- 2. Training, evaluation and generation on a small seeded text ---------------------------------------------------
rng = random.Random(7)
words = ["the", "lady", "said", "that", "she", "would", "walk", "to", "town", "with", "Mr. Knightley", "and", "tea"]
paragraphs = [" ".join(rng.choice(words) for _ in range(rng.randint(8, 30))).capitalize() + "." for _ in range(300)]
corpus_text = "\n".join(paragraphs) + "\n"
cut = corpus_text.rfind("\n", 0, int(len(corpus_text) * 0.9)) + 1
with tempfile.TemporaryDirectory() as tmp:
    corpus = os.path.join(tmp, "small.txt")
    with open(corpus, "w") as f:
        f.write(corpus_text)
    with open(os.path.join(tmp, "small.json"), "w") as f:
        json.dump({"train": [[0, cut]], "validation": [[cut, len(corpus_text)]]}, f)
    outs = []
    for run_id in ("a", "b"):
        out = os.path.join(tmp, run_id)
        os.makedirs(out)
        run("train", "tinygpt", "--steps", "20", "--corpus", corpus, "--out", out, "--quiet")
        outs.append(out)
    asset = os.path.join(outs[0], "tinygpt.safetensors")
    check(filecmp.cmp(asset, os.path.join(outs[1], "tinygpt.safetensors"), shallow=False),
          "tt train tinygpt --steps 20: two runs write identical bytes")
    card = json.load(open(os.path.join(outs[0], "tinygpt.json")))
    card_b = json.load(open(os.path.join(outs[1], "tinygpt.json")))
    check(card["val_loss"] == card_b["val_loss"] and card["train_loss"] == card_b["train_loss"],
          "both runs' cards have the same losses")
    vocab = "".join(sorted(set(corpus_text)))
    meta = safetensors_metadata(asset)
    config = json.loads(meta["tt.gpt"])
    check(json.loads(meta["tt.vocab"]) == vocab and card["vocab"] == vocab,
          "metadata tt.vocab (and the card) hold the corpus's characters in code-point order")
    check(config == {**card["config"], "vocab_size": len(vocab)} and
          set(config) == {"vocab_size", "block_size", "n_layer", "n_head", "n_embd", "tie_weights"},
          f"metadata tt.gpt is the GPTConfig: {config}")
    check(card["command"] == "tt train tinygpt --steps 20" and card["training"]["steps"] == 20,
          "the card records the command and the steps")
    check(card["data"]["sha256"] == hashlib.sha256(corpus_text.encode()).hexdigest(),
          "the card's sha256 is the corpus file's")
    last, chance = card["training"]["history"][-1], math.log(len(vocab))
    check(last["step"] == 20 and card["val_loss"] < chance - 0.5,
          f"20 steps lower the validation loss well below chance (ln {len(vocab)} = {chance:.3f}): {card['val_loss']}")
    evaluated = run("eval", "tinygpt", "--weights", asset, "--corpus", corpus)
    m = re.search(r"loss ([0-9.e+-]+) nats/char", evaluated)
    check(m and float(m.group(1)) == card["val_loss"],
          f"tt eval tinygpt prints the card's validation loss exactly ({m and m.group(1)} vs {card['val_loss']})")

    def gen(*args):
        return run("generate", "--weights", asset, *args)

    a = gen("--prompt", "The lady", "--tokens", "60", "--temperature", "0.9", "--top-k", "5", "--seed", "3")
    b = gen("--prompt", "The lady", "--tokens", "60", "--temperature", "0.9", "--top-k", "5", "--seed", "3")
    c = gen("--prompt", "The lady", "--tokens", "60", "--temperature", "0.9", "--top-k", "5", "--seed", "3",
            "--no-cache")
    d = gen("--prompt", "The lady", "--tokens", "60", "--temperature", "0.9", "--top-k", "5", "--seed", "4")
    check(a == b and a.startswith("The lady") and len(a) == len("The lady") + 60 + 1,
          "tt generate: the same seed twice, the same prompt + 60 characters")
    check(a == c, "tt generate: with and without the KV cache, the same text")
    check(a != d, "tt generate: another seed, another text")
    long_text = gen("--prompt", "T", "--tokens", "300", "--seed", "1", "--no-cache")
    check(len(long_text) == 302, "without the cache, longer than the context (the context slides)")
    greedy = gen("--prompt", "T", "--tokens", "40", "--temperature", "0")
    check(greedy == gen("--prompt", "T", "--tokens", "40", "--temperature", "0", "--seed", "99"),
          "temperature 0 is greedy: the seed draws nothing")
    bad = tt("generate", "--weights", asset, "--prompt", "The lady Q", "--tokens", "5")
    check(bad.returncode == 1 and "'Q' (U+0051) at position 9" in bad.stderr and "vocabulary" in bad.stderr,
          f"a prompt character outside the vocabulary is named: {bad.stderr.strip()}")
    over = tt("generate", "--weights", asset, "--prompt", "T", "--tokens", "300")
    check(over.returncode == 1 and "--no-cache" in over.stderr, "a cache overflow says to use --no-cache")
    missing = tt("generate", "--weights", os.path.join(tmp, "none.safetensors"))
    check(missing.returncode == 1 and "tt train tinygpt" in missing.stderr, "a missing asset says how to make it")
    # Assets whose metadata is wrong: rewritten headers over the same tensor data.
    with open(asset, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header, data = json.loads(f.read(n)), f.read()
    for name, meta_value, message in (("nometa", None, "not a TinyGPT asset"),
                                      ("number", {"tt.gpt": 5, "tt.vocab": '"ab"'}, "__metadata__ 'tt.gpt' is not a string"),
                                      ("short", {**header["__metadata__"], "tt.vocab": '"ab"'},
                                       "tt.vocab has 2 characters, tt.gpt a vocab_size of")):
        h = {k: v for k, v in header.items() if k != "__metadata__"}
        if meta_value is not None:
            h["__metadata__"] = meta_value
        text = json.dumps(h).encode()
        path = os.path.join(tmp, name + ".safetensors")
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text + data)
        out = tt("generate", "--weights", path, "--prompt", "T", "--tokens", "3")
        check(out.returncode == 1 and message in out.stderr, f"asset with bad metadata ({name}): {out.stderr.strip()}")
    nocorpus = tt("train", "tinygpt", "--corpus", os.path.join(tmp, "none.txt"), "--out", tmp)
    check(nocorpus.returncode == 1 and "make setup" in nocorpus.stderr, "a missing corpus says how to make it")
    wrong = tt("train", "xor-mlp", "--steps", "3", "--out", tmp)
    check(wrong.returncode == 2 and "--steps" in wrong.stderr, "--steps with an image recipe is a command-line error")

if failures:
    print(f"\n{len(failures)} check(s) failed")
    sys.exit(1)
print("\nall checks passed")
