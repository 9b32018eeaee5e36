#!/usr/bin/env python3
"""The leaderboard's hidden TinyGPT text (issue 17): English prose that nothing the site ships contains.

The site ships build/datasets/austen.txt whole (TinyGPT's corpus, train and validation alike), so no part of Austen
can be hidden. The hidden text is quotations from Debian's `fortunes` (scripts/fetch-fortunes.sh unpacks them into
build/third_party/fortunes): the files of people, love, men and women, wisdom, humorists, education and work, each
quotation one paragraph per line, normalised as austen.py normalises the novels (curly quotes, dashes, ellipsis),
and kept only when every character is in TinyGPT's vocabulary (austen.json's) - a model trained on the course's
corpus can read all of it. The order is shuffled with a fixed seed (no file dominates the public part), and the
text is cut to MAX_CHARACTERS. Bits per character on it measure how well a model writes English in general,
not Austen: expect about one bit more than on the validation split (the committed asset: 3.0 vs 2.06).

usage: python3 datasets/hidden_text.py --src build/third_party/fortunes --vocab build/datasets/austen.json
                                       --out build/hidden/tinygpt-hidden.txt [--if-present]
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from austen import TRANSLATE  # noqa: E402
from pack import seeded_permutation  # noqa: E402

FILES = ["people", "love", "men-women", "wisdom", "humorists", "education", "work"]
SEED = 20261202
MAX_CHARACTERS = 200_000


def quotations(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for block in text.split("\n%\n"):
        lines = [" ".join(line.split()) for line in block.strip("%\n").splitlines()]
        paragraph = " ".join(x for x in lines if x)
        if paragraph:
            yield "".join(TRANSLATE.get(ord(c), c) for c in paragraph)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", required=True)
    ap.add_argument("--vocab", required=True, help="austen.json (its vocabulary)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--if-present", action="store_true", help="say so and succeed when the sources are missing")
    args = ap.parse_args()
    missing = [p for p in [args.vocab] + [os.path.join(args.src, f) for f in FILES] if not os.path.isfile(p)]
    if missing:
        message = f"hidden_text.py: {missing[0]} is missing (run `make setup`, then `make native`)"
        if args.if_present:
            print(message + "; the leaderboard's TinyGPT task is left out")
            return 0
        sys.exit(message)
    with open(args.vocab) as f:
        vocab = set(json.load(f)["vocabulary"])
    kept = [q for name in FILES for q in quotations(os.path.join(args.src, name)) if set(q) <= vocab]
    order = seeded_permutation(len(kept), SEED)
    out, size = [], 0
    for i in order:
        if size + len(kept[i]) + 1 > MAX_CHARACTERS:
            break
        out.append(kept[i])
        size += len(kept[i]) + 1
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(out) + "\n")
    print(f"  {os.path.basename(args.out)}: {len(out)} quotations, {size} characters (hidden)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
