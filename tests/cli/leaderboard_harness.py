"""Shared by test_leaderboard.py and load_leaderboard.py: a class folder, serve.py --leaderboard on a free loopback
port, HTTP helpers, and safetensors files built from the committed assets (stdlib only)."""
import http.client
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
MLP_ARCH = "flatten linear:784:128 relu linear:128:10"


def read_safetensors(data):
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8:8 + n]), data[8 + n:]


def write_safetensors(header, payload):
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + payload


def with_metadata(data, **meta):
    """The file with these metadata strings added (tt.arch, tt.normalization)."""
    header, payload = read_safetensors(data)
    header["__metadata__"] = dict(header.get("__metadata__", {}), **meta)
    return write_safetensors(header, payload)


def mnist_model():
    with open(os.path.join(ROOT, "assets", "mnist-mlp.safetensors"), "rb") as f:
        return with_metadata(f.read(), **{"tt.arch": MLP_ARCH})


def make_class(tmp, tokens=5, per_day=None, deadline=None, hidden=None):
    class_dir = os.path.join(tmp, "class")
    cmd = [sys.executable, os.path.join(ROOT, "serve.py"), "leaderboard-init", class_dir, "--tokens", str(tokens),
           "--hidden", hidden or os.path.join(ROOT, "build", "hidden")]
    if per_day:
        cmd += ["--per-day", str(per_day)]
    if deadline:
        cmd += ["--deadline", deadline]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    with open(os.path.join(class_dir, "tokens.csv")) as f:
        rows = [line.strip().split(",") for line in f.readlines()[1:]]
    instructor = [r[0] for r in rows if r[1] == "instructor"][0]
    students = [r[0] for r in rows if r[1] == "student"]
    return class_dir, instructor, students


class Server:
    def __init__(self, tmp, class_dir, tt, heartbeat=0.5):
        self.site = os.path.join(tmp, "site")
        os.makedirs(self.site, exist_ok=True)
        with open(os.path.join(self.site, "index.html"), "w") as f:
            f.write("<!doctype html><title>site</title>\n")
        env = dict(os.environ, TT_SERVE_QUIET="1")
        self.proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "serve.py"), "--root", self.site, "--port",
                                      "0", "--leaderboard", class_dir, "--tt", tt, "--heartbeat", str(heartbeat)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"serve.py did not start: {line!r} {self.proc.stderr.read()}")
        self.port = int(line.split()[1])

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()

    def request(self, method, path, body=None, token=None, headers=None, timeout=60):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        if body is not None:
            h.setdefault("Content-Type", "application/octet-stream")
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            return r.status, data, dict(r.getheaders())
        finally:
            conn.close()

    def json(self, method, path, body=None, token=None, headers=None):
        status, data, _ = self.request(method, path, body, token, headers)
        return status, json.loads(data) if data else None

    def submit(self, token, data, task="mnist", name="alice"):
        return self.json("POST", f"/api/leaderboard/submissions?task={task}&name={name}", data, token)

    def wait_done(self, sid, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, sub = self.json("GET", f"/api/leaderboard/submissions/{sid}")
            if status == 200 and sub["status"] in ("done", "failed"):
                return sub
            time.sleep(0.05)
        raise TimeoutError(f"submission {sid} not evaluated within {timeout} s")


def temp_dir():
    return tempfile.mkdtemp(prefix="tt-leaderboard-")


def remove(path):
    shutil.rmtree(path, ignore_errors=True)


def quantize_int8(data):
    """The MLP file as module 16's int8 form: per-output-channel symmetric I8 weights with F32 scales (max |w| / 127,
    rounded half to even), F32 biases, inputs quantized per batch ("dynamic"); tt.quant names the layers."""
    import array
    header, payload = read_safetensors(data)
    meta = header.pop("__metadata__", {})
    out_header, blobs, offset, quant = {}, [], 0, {}

    def add(name, dtype, shape, raw):
        nonlocal offset
        out_header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    for layer in sorted({k.split(".")[0] for k in header}, key=int):
        w_info, b_info = header[f"{layer}.weight"], header[f"{layer}.bias"]
        rows, cols = w_info["shape"]
        w = array.array("f", payload[w_info["data_offsets"][0]:w_info["data_offsets"][1]])
        scales, q = array.array("f"), array.array("b")
        for r in range(rows):
            row = w[r * cols:(r + 1) * cols]
            s = array.array("f", [max(abs(x) for x in row) / 127.0])[0]  # the float32 scale the engine will use
            scales.append(s)
            q.extend(max(-127, min(127, round(x / s))) for x in row)
        add(f"{layer}.weight", "I8", [rows, cols], q.tobytes())
        add(f"{layer}.weight_scale", "F32", [rows], scales.tobytes())
        add(f"{layer}.bias", "F32", b_info["shape"], payload[b_info["data_offsets"][0]:b_info["data_offsets"][1]])
        quant[layer] = {"bits": 8, "scheme": "symmetric", "axis": 0, "group": 0, "input": "dynamic"}
    out_header["__metadata__"] = dict(meta, **{"tt.quant": json.dumps(quant)})
    return write_safetensors(out_header, b"".join(blobs))
