#!/usr/bin/env python3
"""`tt`'s command line (ctest native.cli_errors): a bad command line is a message naming what was wrong and exit
code 2, with nothing run; --help works for tt and for every command; runtime errors exit 1 with "tt: error:".

usage: test_errors.py TT_EXECUTABLE   (run from the repository root)
"""
import os
import subprocess
import sys
import tempfile

TT = sys.argv[1]
failures = []


def tt(*args):
    return subprocess.run([TT, *args], capture_output=True, text=True, timeout=120)


def check(ok, what, out=None):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)
        if out is not None:
            print(f"      exit {out.returncode}\n      stdout: {out.stdout!r}\n      stderr: {out.stderr!r}")


# (arguments, text the message must contain): each exits 2 and runs nothing (no stdout).
BAD = [
    (["train", "mnist-mlp", "--epochs", "abc"], "--epochs: abc is not a whole number"),
    (["train", "mnist-mlp", "--epochs", "0"], "--epochs: 0 is outside 1..100000"),
    (["train", "mnist-mlp", "--limit", "1.5"], "--limit: 1.5 is not a whole number"),
    (["train", "mnist-mlp", "--limit", "99999999999999999999"], "--limit: 99999999999999999999 is not a whole number"),
    (["train", "mnist-mlp", "--out", "no/such/folder"], "--out: Directory does not exist: no/such/folder"),
    (["train", "mnist-mlp", "--bogus"], "--bogus"),
    (["train", "no-such-recipe"], "no-such-recipe not in {xor-mlp,mnist-mlp,fashion-cnn,cifar10-cnn,tinygpt}"),
    (["train"], "recipe is required"),
    (["eval", "mnist-mlp", "--weights", "no/such.safetensors"], "--weights: File does not exist: no/such.safetensors"),
    (["predict", "mnist-mlp", "x"], "index: x is not a whole number"),
    (["predict", "mnist-mlp", "--", "-1"], "index: -1 is outside 0.."),
    (["predict", "mnist-mlp"], "index is required"),
    (["grade", "01", "no/such/file.cpp"], "File does not exist: no/such/file.cpp"),
    (["grade", "01", "engine/core/profile.cpp", "--timeout", "soon"], "--timeout: soon is not a whole number"),
    (["grade", "no-such-lesson", "engine/core/profile.cpp"], "no lesson 'no-such-lesson'"),
    (["pack-images", "no/such/dir", "x.ttds"], "dir: Directory does not exist: no/such/dir"),
    (["pack-images", ".", "x.ttds", "--size", "32y"], "--size: '32y' is not N or HxW"),
    (["pack-images", ".", "x.ttds", "--size", "0x8"], "--size: '0x8' is outside 1..8192"),
    (["train", "tinygpt", "--steps", "0"], "--steps: 0 is outside 1..10000000"),
    (["train", "tinygpt", "--epochs", "2"], "--epochs: is for image recipes; tinygpt takes --steps"),
    (["generate", "--tokens", "-1"], "--tokens: -1 is outside 0..1000000"),
    (["generate", "--temperature", "hot"], "--temperature"),
    (["generate", "--top-k", "2.5"], "--top-k: 2.5 is not a whole number"),
    (["bogus"], "unknown command 'bogus'; the commands are: env train eval predict grade generate pack-images evaluate"),
    ([], "Subcommands:"),  # no command: the help, on stderr
]
for args, message in BAD:
    out = tt(*args)
    check(out.returncode == 2 and message in out.stderr and out.stdout == "",
          f"tt {' '.join(args)}: exit 2 and says {message!r}", out)

# --help: tt lists the commands; each command its arguments and options (stdout, exit 0).
HELP = {
    (): ["env", "train", "eval", "predict", "generate", "grade"],
    ("train",): ["recipe", "--epochs", "--limit", "--out", "--data", "--cifar", "--quiet", "xor-mlp", "tinygpt",
                 "--steps", "--corpus"],
    ("eval",): ["recipe", "--weights", "--out", "--limit", "--data", "--corpus"],
    ("generate",): ["--prompt", "--tokens", "--temperature", "--top-k", "--seed", "--no-cache", "--weights"],
    ("predict",): ["recipe", "index", "--weights"],
    ("grade",): ["module", "files", "--root", "--timeout"],
    ("env",): ["env"],
    ("pack-images",): ["dir", "out", "--size", "--gray"],
}
for sub, words in HELP.items():
    out = tt(*sub, "--help")
    missing = [w for w in words if w not in out.stdout]
    check(out.returncode == 0 and not missing, f"tt {' '.join(sub)} --help lists {', '.join(words)}", out)

# A command that starts and fails is exit 1 with the engine's message.
with tempfile.TemporaryDirectory() as tmp:
    out = tt("eval", "mnist-mlp", "--out", tmp)
    check(out.returncode == 1 and out.stderr.startswith("tt: error: ") and "mnist-mlp.safetensors: cannot open" in out.stderr,
          "tt eval without the asset: exit 1, names the missing file", out)
    # grade reads lesson.json with the JSON parser: a broken one is reported with its path and position (exit 2).
    os.makedirs(os.path.join(tmp, "lessons", "01_setup"))
    with open(os.path.join(tmp, "lessons", "01_setup", "lesson.json"), "w") as f:
        f.write('{\n  "files": ["engine/core/profile.cpp",]\n}\n')
    out = tt("grade", "01", "engine/core/profile.cpp", "--root", tmp)
    path = os.path.join(tmp, "lessons", "01_setup", "lesson.json")
    check(out.returncode == 2 and f"{path}: expected a JSON value at byte 40 (line 2, column 39)" in out.stderr,
          "tt grade with a broken lesson.json: exit 2, names the file and the position", out)
    with open(os.path.join(tmp, "lessons", "01_setup", "lesson.json"), "w") as f:
        f.write('{"files": "engine/core/profile.cpp", "checks": []}')
    out = tt("grade", "01", "engine/core/profile.cpp", "--root", tmp)
    check(out.returncode == 2 and f'{path}: "files" must be a list of paths' in out.stderr,
          "tt grade with files not a list: exit 2, names the field", out)

sys.exit(1 if failures else 0)
