"""CLASS_DIR, the instructor's folder of one class's competition (`python3 serve.py leaderboard-init CLASS_DIR`):

  config.json     deadline (ISO 8601 UTC or null), perDay, publicFraction, limits, and the tasks with their hidden set
  tokens.csv      token,role,label: N student tokens and one instructor token (mode 0600; hand one to each student)
  hidden/         the hidden test sets, copied from build/hidden (datasets/pack.py) - never served; CIFAR-10's can
                  instead come from the instructor's copy of the official archive (--cifar: packed here, by
                  datasets/pack.py's code, as the half of the test batch the site's cifar10-test.ttds leaves out)
  leaderboard.db  the submissions (sqlite, WAL)
  uploads/        submitted files, named <server-generated id>.safetensors only

Nothing in it is reachable over HTTP: the site is served from build/site, and the API reads these files itself.
"""
import csv
import json
import os
import secrets
import shutil
import sys

from . import store

MAX_BYTES = 10 * 2**20

# The tasks a class can have; a task is set up when its hidden set exists in build/hidden.
TASKS = [
    {"id": "mnist", "title": "MNIST digits", "kind": "classifier", "input": [1, 28, 28],
     "classes": [str(d) for d in range(10)], "metric": "accuracy", "hidden": "mnist-hidden.ttds",
     "maxLatencyMs": 100},
    {"id": "fashion-mnist", "title": "Fashion-MNIST", "kind": "classifier", "input": [1, 28, 28],
     "classes": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                 "Ankle boot"], "metric": "accuracy", "hidden": "fashion-mnist-hidden.ttds", "maxLatencyMs": 100},
    {"id": "cifar10", "title": "CIFAR-10", "kind": "classifier", "input": [3, 32, 32],
     "classes": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
     "metric": "accuracy", "hidden": "cifar10-hidden.ttds", "maxLatencyMs": 100},
    {"id": "tinygpt", "title": "TinyGPT (bits per character)", "kind": "gpt", "metric": "bits_per_char",
     "hidden": "tinygpt-hidden.txt", "maxLatencyMs": 1000, "windows": 256},
]

DEFAULTS = {"deadline": None, "perDay": 10, "publicFraction": 0.5, "maxBytes": MAX_BYTES,
            "maxPeakBytes": 512 * 2**20, "memoryLimitBytes": 2 * 2**30, "timeoutSeconds": 300, "workers": None}


def hidden_count(path):
    """Images in a .ttds shard (its header), or windows for the text task."""
    with open(path, "rb") as f:
        head = f.read(12)
    if head[:4] == b"TTDS":
        return int.from_bytes(head[8:12], "little")
    return None


def load_pack():
    """datasets/pack.py (a script, not a package): one CIFAR-10 reader and one split for the site and the class."""
    import importlib.util
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "datasets", "pack.py")
    spec = importlib.util.spec_from_file_location("tt_pack", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def init(class_dir, hidden_dir, tokens=30, deadline=None, per_day=None, out=sys.stdout, cifar=None):
    if os.path.exists(class_dir) and os.listdir(class_dir):
        raise SystemExit(f"leaderboard-init: {class_dir} exists and is not empty; choose a new folder")
    cifar_data = None
    if cifar:  # read and checked before anything is created: a bad archive leaves no half-made class folder
        pack = load_pack()
        try:
            cifar_data = pack.read_cifar10_test(cifar)
        except SystemExit as e:
            raise SystemExit(f"leaderboard-init: --cifar {e.code}") from None
    os.makedirs(os.path.join(class_dir, "hidden"), exist_ok=True)
    os.makedirs(os.path.join(class_dir, "uploads"), exist_ok=True)
    os.chmod(class_dir, 0o700)
    tasks = []
    for t in TASKS:
        src = os.path.join(hidden_dir, t["hidden"])
        if t["id"] == "cifar10" and cifar_data is not None:
            src = os.path.join(class_dir, "hidden", t["hidden"])
            pack.write_cifar10(cifar_data, pack.cifar10_split(cifar_data)[1], src, gz=False)
        if not os.path.isfile(src):
            print(f"  {t['id']}: no hidden set ({src}); left out", file=out)
            continue
        if src != os.path.join(class_dir, "hidden", t["hidden"]):
            shutil.copyfile(src, os.path.join(class_dir, "hidden", t["hidden"]))
        task = dict(t)
        n = hidden_count(src)
        if n is not None:
            task["hiddenCount"] = n
        tasks.append(task)
        print(f"  {t['id']}: hidden set {t['hidden']}" + (f" ({n} images)" if n else ""), file=out)
    if not tasks:
        raise SystemExit(f"leaderboard-init: no hidden sets in {hidden_dir}: build them first (make native)")
    config = dict(DEFAULTS, tasks=tasks)
    if deadline:
        config["deadline"] = deadline
    if per_day:
        config["perDay"] = per_day
    with open(os.path.join(class_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    path = os.path.join(class_dir, "tokens.csv")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["token", "role", "label"])
        w.writerow([secrets.token_urlsafe(18), "instructor", "instructor"])
        for i in range(tokens):
            w.writerow([secrets.token_urlsafe(18), "student", f"student-{i + 1:02d}"])
    store.open_store(class_dir).close()
    print(f"created {class_dir}: {len(tasks)} tasks, {tokens} student tokens + 1 instructor token in {path}", file=out)


def load_config(class_dir):
    with open(os.path.join(class_dir, "config.json")) as f:
        config = dict(DEFAULTS, **json.load(f))
    return config


def load_tokens(class_dir):
    """{token: role}"""
    tokens = {}
    with open(os.path.join(class_dir, "tokens.csv"), newline="") as f:
        for row in csv.DictReader(f):
            if row.get("token") and row.get("role") in ("student", "instructor"):
                tokens[row["token"]] = row["role"]
    return tokens
