#!/usr/bin/env python3
"""`tt pack-images DIR OUT` (ctest native.pack_images) on a small image folder made here: PNGs written with zlib
(lossless, so the packed bytes must equal the pixels written), classes sorted, labels in class order, --size and
--gray, and the folder errors (one class, mixed sizes, an undecodable file) as exit 1 naming what was wrong.

usage: test_pack_images.py TT_EXECUTABLE
"""
import os
import struct
import subprocess
import sys
import tempfile
import zlib

TT = sys.argv[1]
failures = []


def check(ok, what, out=None):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)
        if out is not None:
            print(f"      exit {out.returncode}\n      stdout: {out.stdout!r}\n      stderr: {out.stderr!r}")


def write_png(path, width, height, rows, color_type):
    """rows: height lists of bytes; color_type 0 gray, 2 RGB, 6 RGBA (8 bits per channel)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(png)


def read_ttds(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, version, n, c, h, w, classes, _ = struct.unpack("<4s7I", data[:32])
    assert magic == b"TTDS"
    return dict(n=n, c=c, h=h, w=w, classes=classes, labels=list(data[32:32 + n]), pixels=list(data[32 + n:]))


def tt(*args):
    return subprocess.run([TT, *args], capture_output=True, text=True, timeout=120)


with tempfile.TemporaryDirectory() as tmp:
    root = os.path.join(tmp, "pets")
    # 3 wide, 2 high. "dog" (RGB) and "cat" (gray): cat sorts first, so cat is class 0.
    rgb = [[10 * p + k for p in range(3 * r, 3 * r + 3) for k in range(3)] for r in range(2)]
    gray = [[200 + 3 * r + x for x in range(3)] for r in range(2)]
    rgba = [[v for p in range(3 * r, 3 * r + 3) for v in (5 * p, 5 * p + 1, 5 * p + 2, 255)] for r in range(2)]
    write_png(os.path.join(root, "dog", "a.png"), 3, 2, rgb, 2)
    write_png(os.path.join(root, "cat", "b.png"), 3, 2, gray, 0)
    write_png(os.path.join(root, "cat", "a.png"), 3, 2, rgba, 6)
    with open(os.path.join(root, "dog", "notes.txt"), "w") as f:
        f.write("not an image: skipped")
    out_path = os.path.join(tmp, "pets.ttds")
    out = tt("pack-images", root, out_path)
    check(out.returncode == 0 and "0:cat 1:dog" in out.stdout and "packed 3 images of 3x2x3" in out.stdout
          and "images/s" in out.stdout, "pack-images: 3 images, classes cat, dog, the decode speed", out)
    d = read_ttds(out_path)
    check((d["n"], d["c"], d["h"], d["w"], d["classes"]) == (3, 3, 2, 3, 2), f"header N C H W classes {d}")
    check(d["labels"] == [0, 0, 1], f"labels in class order, files sorted: {d['labels']}")

    def planes(rows, channels, take):
        px = [r[i:i + channels] for r in rows for i in range(0, len(r), channels)]
        return [p[k] if channels > 1 else p[0] for k in take for p in px]
    expected = planes(rgba, 4, [0, 1, 2]) + planes(gray, 1, [0, 0, 0]) + planes(rgb, 3, [0, 1, 2])
    check(d["pixels"] == expected, "pixels: C x H x W planes, alpha dropped, gray repeated into RGB")

    out = tt("pack-images", root, out_path, "--size", "4x6", "--gray")
    d = read_ttds(out_path)
    check(out.returncode == 0 and (d["c"], d["h"], d["w"]) == (1, 4, 6) and len(d["pixels"]) == 3 * 24,
          "--size 4x6 --gray: 3 images of 1x4x6", out)
    resized = d["pixels"][24:48]  # the 3x2 gray image (200..205) upscaled: values between, corners kept
    check(min(resized) == 200 and max(resized) == 205 and resized[0] == 200 and resized[-1] == 205,
          f"the resized gray image keeps its range and corners: {resized}")

    # Mixed sizes without --size: exit 1, both files named.
    write_png(os.path.join(root, "dog", "big.png"), 4, 2, [[1] * 12, [2] * 12], 2)
    out = tt("pack-images", root, out_path)
    check(out.returncode == 1 and "dog/big.png is 4x2 but cat/a.png is 3x2" in out.stderr,
          "mixed sizes: exit 1 naming both files", out)
    out = tt("pack-images", root, out_path, "--size", "2")
    check(out.returncode == 0 and "packed 4 images of 3x2x2" in out.stdout, "mixed sizes with --size 2: packed", out)
    with open(os.path.join(root, "dog", "broken.jpg"), "wb") as f:
        f.write(b"\xff\xd8 not really a jpeg")
    out = tt("pack-images", root, out_path, "--size", "2")
    check(out.returncode == 1 and "broken.jpg" in out.stderr and "not a decodable" in out.stderr,
          "an undecodable file: exit 1 naming it", out)
    one = os.path.join(tmp, "one")
    write_png(os.path.join(one, "only", "a.png"), 3, 2, rgb, 2)
    out = tt("pack-images", one, out_path)
    check(out.returncode == 1 and "only one class folder ('only')" in out.stderr, "one class: exit 1", out)
    os.makedirs(os.path.join(tmp, "empty", "cat"))
    out = tt("pack-images", os.path.join(tmp, "empty"), out_path)
    check(out.returncode == 1 and "found no .png, .jpg or .jpeg images" in out.stderr, "no images: exit 1", out)

sys.exit(1 if failures else 0)
