#!/usr/bin/env python3
"""Packs Jane Austen's six novels into build/datasets/austen.txt for TinyGPT (`tt train tinygpt`), stdlib only.

Source: Debian `r-cran-janeaustenr` (public-domain texts from Project Gutenberg), unpacked by scripts/setup.sh
(scripts/fetch-janeaustenr.sh: `apt-get download` + `dpkg -x`) into build/third_party/janeaustenr. No R is needed:
R's lazy-load database is read here.
  data/Rdata.rdx  gzip of an R-serialised list: $variables maps each data set name to (offset, length) in the .rdb
  data/Rdata.rdb  blocks, each a 4-byte big-endian uncompressed length + a zlib stream of one R-serialised object
                  (here: a character vector, one element per line of the printed book, "" between paragraphs)
R serialisation (XDR, versions 2 and 3): "X\\n", version, writer and reader R versions (version 3: + native
encoding), then items, each a 32-bit flags word (type in the low byte, has-attributes bit 9, has-tag bit 10) and its
payload. Only the types these files use are read: NULL, symbols, pairlists, character/integer/logical/real vectors,
generic vectors and references to earlier symbols.

Output (UTF-8, "\\n" line ends):
  austen.txt   the novels in alphabetical order of their R names, each "<title>\\n" then one paragraph per line (the
               book's wrapped lines joined by one space, runs of spaces collapsed), novels separated by an empty line.
               Normalised to ASCII where a keyboard has the character: curly quotes -> ' and ", dashes (en, em,
               horizontal bar) -> "-", the ellipsis -> "...", a no-break space -> " ". Other characters (accented
               letters, the pound sign) are kept.
  austen.json  characters, distinct characters (the vocabulary, in code-point order), sha256 of austen.txt, the
               novels with their character ranges, and the train/validation split:
               the last 10% of each novel's characters (cut at a line start) is validation, the rest training, so
               validation text is prose the model never saw, from all six novels. The split is positional: no seed.

usage: python3 datasets/austen.py --src build/third_party/janeaustenr --out build/datasets [--if-present]
"""
import argparse
import gzip
import hashlib
import json
import os
import struct
import sys
import zlib

NILVALUE, SYMSXP, LISTSXP, CHARSXP, LGLSXP, INTSXP, REALSXP, STRSXP, VECSXP, REFSXP = (
    254, 1, 2, 9, 10, 13, 14, 16, 19, 255)
VALIDATION_FRACTION = 0.1
TRANSLATE = {0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"', 0x2013: "-", 0x2014: "-", 0x2015: "-",
             0x2026: "...", 0x00A0: " "}


class RFormatError(ValueError):
    pass


class Reader:
    """One R-serialised object (XDR), as Python values: a character vector is a list of str (None for NA)."""

    def __init__(self, data):
        self.data, self.pos, self.refs = data, 0, []

    def take(self, n):
        if self.pos + n > len(self.data):
            raise RFormatError(f"truncated at byte {self.pos} (wanted {n} more of {len(self.data)})")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def int(self):
        return struct.unpack(">i", self.take(4))[0]

    def header(self):
        if self.take(2) != b"X\n":
            raise RFormatError("not an XDR R serialisation (no 'X\\n' header)")
        version = self.int()
        if version not in (2, 3):
            raise RFormatError(f"serialisation version {version} (only 2 and 3 are read)")
        self.int(), self.int()  # the writer's and the oldest reader's R versions
        if version == 3:
            self.take(self.int())  # the native encoding's name
        return version

    def length(self):
        n = self.int()
        if n == -1:  # a long vector: two more words
            n = (self.int() << 32) | (self.int() & 0xFFFFFFFF)
        return n

    def item(self):
        flags = self.int()
        kind, has_attr, has_tag = flags & 0xFF, flags & (1 << 9), flags & (1 << 10)
        if kind == NILVALUE:
            return None
        if kind == REFSXP:
            index = flags >> 8 or self.int()
            return self.refs[index - 1]
        if kind == SYMSXP:
            name = self.item()  # its CHARSXP
            self.refs.append(name)
            return name
        if kind == CHARSXP:
            n = self.int()
            if n == -1:
                return None
            raw = self.take(n)
            return raw.decode("latin-1" if flags & (1 << 14) else "utf-8")  # LATIN1_MASK << 12; else UTF-8/ASCII
        if kind == LISTSXP:  # a pairlist: attributes, tag, value, the rest (iteratively, as R writes it)
            out = []
            while kind == LISTSXP:
                if has_attr:
                    self.item()
                tag = self.item() if has_tag else None
                out.append((tag, self.item()))
                flags = self.int()
                kind, has_attr, has_tag = flags & 0xFF, flags & (1 << 9), flags & (1 << 10)
            if kind != NILVALUE:
                raise RFormatError(f"a pairlist ends in type {kind}, not NULL")
            return out
        if kind == STRSXP:
            value = [self.item() for _ in range(self.length())]
        elif kind == VECSXP:
            value = [self.item() for _ in range(self.length())]
        elif kind in (INTSXP, LGLSXP):
            n = self.length()
            value = list(struct.unpack(f">{n}i", self.take(4 * n)))
        elif kind == REALSXP:
            n = self.length()
            value = list(struct.unpack(f">{n}d", self.take(8 * n)))
        else:
            raise RFormatError(f"R type {kind} at byte {self.pos - 4} is not supported by this reader")
        if has_attr:
            attrs = dict(self.item())
            if "names" in attrs:
                return dict(zip(attrs["names"], value))
        return value


def unserialize(data):
    r = Reader(data)
    r.header()
    return r.item()


def read_block(rdb, offset, length):
    """One object of a lazy-load database: 4-byte big-endian uncompressed size, then zlib."""
    block = rdb[offset:offset + length]
    if len(block) != length or length < 4:
        raise RFormatError(f"block at {offset} (+{length}) runs past the end of the file ({len(rdb)} bytes)")
    size = struct.unpack(">I", block[:4])[0]
    raw = zlib.decompress(block[4:])
    if len(raw) != size:
        raise RFormatError(f"block at {offset}: {len(raw)} bytes inflated, its header says {size}")
    return unserialize(raw)


def read_database(rdx_path, rdb_path):
    """{name: R object} of every variable of a lazy-load database (.rdx index + .rdb blocks)."""
    with open(rdx_path, "rb") as f:
        index = unserialize(gzip.decompress(f.read()))
    with open(rdb_path, "rb") as f:
        rdb = f.read()
    return {name: read_block(rdb, where[0], where[1]) for name, where in index["variables"].items()}


def normalise(text):
    return text.translate(TRANSLATE)


def paragraphs(lines):
    """The book's wrapped lines -> paragraphs (empty lines separate them)."""
    out, current = [], []
    for line in lines + [""]:
        line = " ".join(normalise(line or "").split())
        if line:
            current.append(line)
        elif current:
            out.append(" ".join(current))
            current = []
    return out


def pack(books):
    """{name: lines} -> (text, metadata): the corpus and its split, as the module docstring says."""
    text, novels, train, validation = "", [], [], []
    for name in sorted(books):
        paras = paragraphs(books[name])
        if not paras:
            raise RFormatError(f"{name}: no text")
        start = len(text)
        body = "\n".join(paras) + "\n"
        text += body + ("\n" if name != sorted(books)[-1] else "")
        # Validation: the last 10% of the novel, from the start of the line where it begins.
        cut = body.rfind("\n", 0, int(len(body) * (1 - VALIDATION_FRACTION))) + 1
        novels.append({"name": name, "title": paras[0], "start": start, "end": start + len(body)})
        train.append([start, start + cut])
        validation.append([start + cut, start + len(body)])
    chars = sorted(set(text))
    meta = {
        "source": "Debian r-cran-janeaustenr (Project Gutenberg texts, public domain)",
        "file": "austen.txt",
        "characters": len(text),
        "bytes": len(text.encode("utf-8")),
        "distinct_characters": len(chars),
        "vocabulary": "".join(chars),
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "normalisation": "curly quotes to ' and \", en/em dashes and bars to -, ellipsis to ..., no-break space "
                         "to space; wrapped lines joined into one paragraph per line",
        "novels": novels,
        "split": "the last 10% of each novel's characters (from a line start) is validation; ranges are "
                 "[start, end) character offsets into austen.txt",
        "train": train,
        "validation": validation,
    }
    return text, meta


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", default=os.path.join(here, "..", "build", "third_party", "janeaustenr"),
                    help="the unpacked package's janeaustenr folder (the one with data/Rdata.rdb)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--if-present", action="store_true",
                    help="without the package's data, print why and succeed (the build goes on without the corpus)")
    args = ap.parse_args()
    rdx, rdb = (os.path.join(args.src, "data", f"Rdata.{ext}") for ext in ("rdx", "rdb"))
    if not os.path.exists(rdb):
        message = (f"austen: {rdb} is missing: run `make setup` (scripts/fetch-janeaustenr.sh unpacks the Debian "
                   f"package r-cran-janeaustenr there); TinyGPT's corpus is not packed")
        if args.if_present:
            print(message)
            return
        sys.exit(message)
    books = read_database(rdx, rdb)
    text, meta = pack(books)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "austen.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    with open(os.path.join(args.out, "austen.json"), "w") as f:
        json.dump(meta, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"austen: {len(books)} novels, {meta['characters']} characters, {meta['distinct_characters']} distinct "
          f"-> {args.out}/austen.txt")


if __name__ == "__main__":
    main()
