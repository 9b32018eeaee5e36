#!/usr/bin/env python3
"""Packs milestone 1's CIFAR-10 gallery, assets/cifar10-gallery.ttds: 200 test images (the first 20 of each class,
interleaved airplane, automobile, ..., truck, airplane, ...) from an image folder of CIFAR-10, as decoded by the
engine (`tt pack-images`, stb_image), so the page and `tt predict` see the same pixels.

The committed file was made from the JPEG copy of CIFAR-10 in ../shared/data (cifar10-images.tar.gz, unpacked),
never bundled itself: only these 200 images are. The page shows the gallery with the cifar10-cnn asset's
predictions; `tt eval cifar10-cnn --cifar assets/cifar10-gallery.ttds` scores the model on it natively.

usage: python3 datasets/cifar10_gallery.py --tt build/native/tt --images DIR [--out assets/cifar10-gallery.ttds]
       (DIR: the unpacked cifar10-images/, with test/<class>/NNNN.jpg)
"""
import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pack import MAGIC, VERSION  # noqa: E402  (the .ttds format: pack.py's docstring)

CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tt", required=True, help="the native tool (build/native/tt)")
    ap.add_argument("--images", required=True, help="an image folder of CIFAR-10 with test/<class>/")
    ap.add_argument("--out", default="assets/cifar10-gallery.ttds")
    ap.add_argument("--per-class", type=int, default=20)
    args = ap.parse_args()
    k = args.per_class
    with tempfile.TemporaryDirectory() as tmp:
        for name in CLASSES:
            src = os.path.join(args.images, "test", name)
            files = sorted(f for f in os.listdir(src) if f.lower().endswith((".jpg", ".jpeg", ".png")))
            if len(files) < k:
                sys.exit(f"{src}: {len(files)} images, fewer than {k}")
            os.makedirs(os.path.join(tmp, "gallery", name))
            for f in files[:k]:
                shutil.copy(os.path.join(src, f), os.path.join(tmp, "gallery", name, f))
        packed = os.path.join(tmp, "by-class.ttds")
        subprocess.run([args.tt, "pack-images", os.path.join(tmp, "gallery"), packed], check=True,
                       stdout=subprocess.DEVNULL)
        blob = open(packed, "rb").read()
    version, n, c, h, w, classes, _ = struct.unpack_from("<7I", blob, 4)
    assert blob[:4] == MAGIC and version == VERSION and n == k * len(CLASSES) and classes == len(CLASSES), blob[:32]
    size = c * h * w
    labels, pixels = blob[32:32 + n], blob[32 + n:]
    # pack-images reads class after class (sorted names: CIFAR-10's label order); interleave them for the gallery.
    order = [cls * k + i for i in range(k) for cls in range(len(CLASSES))]
    assert all(labels[cls * k + i] == cls for cls in range(len(CLASSES)) for i in range(k))
    out = MAGIC + struct.pack("<7I", VERSION, n, c, h, w, classes, 0) + bytes(labels[j] for j in order)
    out += b"".join(pixels[j * size:(j + 1) * size] for j in order)
    with open(args.out, "wb") as f:
        f.write(out)
    print(f"{args.out}: {n} test images {c}x{h}x{w} from {args.images} ({len(out)} bytes)")


if __name__ == "__main__":
    main()
