#!/usr/bin/env python3
"""Writes the fuzz drivers' seed corpora, tests/fuzz/seeds/<reader>/: a few small valid inputs per reader (and a
malformed one or two), from which libFuzzer's mutations start. Stdlib only; rerun after a format changes:
    python3 tests/fuzz/make_seeds.py
"""
import json
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")


def write(reader, name, data):
    os.makedirs(os.path.join(ROOT, reader), exist_ok=True)
    with open(os.path.join(ROOT, reader, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def ttds(n, c, h, w, classes):
    labels = bytes(i % classes for i in range(n))
    pixels = bytes((i * 37) % 256 for i in range(n * c * h * w))
    return b"TTDS" + struct.pack("<7I", 1, n, c, h, w, classes, 0) + labels + pixels


def idx(n, h, w, classes):
    images = struct.pack(">4I", 0x803, n, h, w) + bytes((i * 11) % 256 for i in range(n * h * w))
    labels = struct.pack(">2I", 0x801, n) + bytes(i % classes for i in range(n))
    return struct.pack("<H", len(images)) + images + labels


def safetensors(tensors, metadata=None):
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, shape in tensors:
        n = 1
        for s in shape:
            n *= s
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [len(data), len(data) + 4 * n]}
        data += struct.pack(f"<{n}f", *[0.5 * i for i in range(n)])
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text.encode() + data


def main():
    write("ttds", "tiny", ttds(3, 1, 2, 3, 3))
    write("ttds", "rgb", ttds(2, 3, 4, 4, 10))
    write("ttds", "huge-header", b"TTDS" + struct.pack("<7I", 1, 0xFFFFFFFF, 1, 0xFFFF, 0xFFFF, 10, 0))
    write("idx", "tiny", idx(2, 3, 3, 10))
    write("idx", "one", idx(1, 1, 1, 2))
    write("cifar", "one", bytes([7]) + bytes(i % 256 for i in range(3072)))
    write("safetensors", "two", safetensors([("fc.weight", [2, 3]), ("fc.bias", [3])]))
    write("safetensors", "meta", safetensors([("w", [1])], {"tt.gpt": '{"n_layer":1}', "tt.vocab": '"ab"'}))
    write("safetensors", "scalar-empty", safetensors([("s", []), ("e", [0, 4])]))
    gpt = '{"vocab_size":3,"block_size":8,"n_layer":1,"n_head":1,"n_embd":4,"tie_weights":true}'
    write("gpt_asset", "tiny", safetensors([("wte.weight", [3, 4])], {"tt.gpt": gpt, "tt.vocab": '"ab\\n"'}))
    write("gpt_asset", "no-vocab", safetensors([], {"tt.gpt": gpt}))
    write("json", "object", '{"a":[1,2.5e3,-0.0,true,false,null],"b":{"c":"\\u00e9\\ud83d\\ude00\\n"}}')
    write("json", "lines", '[\n  {"name": "x", "v": 1},\n  "text"\n]\n')
    write("json", "number", "-12.5E+3")
    write("architecture", "mlp", b"\x01\x1c\x1c" + b"flatten linear:784:64 relu dropout:0.25 linear:64:10")
    write("architecture", "cnn", b"\x03\x20\x20" + b"conv:3:8:3:1 bn:8 relu maxpool:2 avgpool:2 flatten linear:512:10")
    write("architecture", "xor", b"\x01\x01\x02" + b"flatten linear:2:8 tanh linear:8:2")
    write("image_folder", "rgb", bytes([2, 2, 3, 1, 0]) + bytes(range(12)) + b"\0cat/1.png\ncat/2.jpg\ndog/a/3.JPEG\n")
    write("image_folder", "gray-resize", bytes([3, 2, 1, 0, 5]) + bytes(range(6)) + b"\0a/x.png\nb/y.png\nz.png")
    write("image_folder", "rgba", bytes([1, 2, 4, 0, 3]) + bytes(range(8)) + b"\0c1/p.jpg\nc2/q.jpeg\nc2/r.txt")
    write("tokenizer", "merges", bytes([2, 0xA0, 0x00, 0xA0, 0x00, 0x00, 0x00]) + "a cat, a hat; é ☃".encode())
    write("tokenizer", "text", bytes([0]) + "It is a truth universally acknowledged".encode())


if __name__ == "__main__":
    main()
