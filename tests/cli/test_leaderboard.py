#!/usr/bin/env python3
"""The class leaderboard (ctest native.leaderboard): serve.py --leaderboard on loopback with the real evaluator.

- round trip: the committed MNIST MLP submitted -> queued -> done -> ranked, its public and private accuracy equal to
  what `tt eval` (train.cpp's evaluation, another code path) counts on the same two halves of the hidden set; the
  event stream announces the board change; "mine", the submission's page and the CSV export agree;
- every bad input -> its status and a message naming the problem, and nothing stored (db rows, uploads folder);
- the per-day limit (429) and the freeze (403);
- a restart keeps every submission, and re-queues one left queued;
- the hidden labels, the db and the tokens are unreachable over HTTP (traversal, encoded dots, absolute paths).

usage: test_leaderboard.py TT_EXECUTABLE   (needs build/hidden: the datasets target)
"""
import json
import os
import re
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import leaderboard_harness as H  # noqa: E402

TT = os.path.realpath(sys.argv[1])
failures = []


def check(ok, what, detail=""):
    print(("ok    " if ok else "FAIL  ") + what + ("" if ok else f"\n      {detail}"))
    if not ok:
        failures.append(what)


def tt_eval_correct(shard_bytes, tmp, name):
    """Correct predictions of assets/mnist-mlp on a .ttds shard, counted by `tt eval` (train.cpp's evaluate)."""
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "mnist-test.ttds"), "wb") as f:
        f.write(shard_bytes)
    out = subprocess.run([TT, "eval", "mnist-mlp", "--data", d, "--weights",
                          os.path.join(H.ROOT, "assets", "mnist-mlp.safetensors")],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"test: (\d+)/(\d+)", out)
    return int(m.group(1)), int(m.group(2))


def shard_part(data, first, last):
    """Images [first, last) of a .ttds shard as a shard of their own."""
    _, n, c, h, w, k, _ = struct.unpack("<7I", data[4:32])
    size = c * h * w
    labels = data[32:32 + n]
    pixels = data[32 + n:]
    return (b"TTDS" + struct.pack("<7I", 1, last - first, c, h, w, k, 0) + labels[first:last] +
            pixels[first * size:last * size])


def stored(class_dir):
    """What a rejected request must not change: the db's rows and the uploads folder."""
    db = sqlite3.connect(os.path.join(class_dir, "leaderboard.db"))
    try:
        rows = db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    finally:
        db.close()
    return rows, sorted(os.listdir(os.path.join(class_dir, "uploads")))


def raw_request(port, head, body=b""):
    """One request written byte for byte (paths no client library would send), the status and body back."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(head.encode("latin-1") + body)
        s.shutdown(socket.SHUT_WR)  # all the client will send: a short body ends here
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, data.partition(b"\r\n\r\n")[2]


def main():
    hidden_path = os.path.join(H.ROOT, "build", "hidden", "mnist-hidden.ttds")
    if not os.path.isfile(hidden_path):
        print(f"{hidden_path} is missing: build the datasets target first")
        return 1
    tmp = H.temp_dir()
    model = H.mnist_model()
    try:
        class_dir, instructor, students = H.make_class(tmp, tokens=3, per_day=4)
        alice, bob = students[0], students[1]
        with open(os.path.join(class_dir, "tokens.csv")) as f:
            pass
        check(oct(os.stat(os.path.join(class_dir, "tokens.csv")).st_mode & 0o777) == "0o600", "tokens.csv is 0600")
        server = H.Server(tmp, class_dir, TT)
        try:
            run(server, class_dir, tmp, model, instructor, alice, bob, hidden_path)
        finally:
            server.stop()
        restart(tmp, class_dir, model, alice)
        static_only(tmp, model, alice)
    finally:
        H.remove(tmp)
    print(f"{len(failures)} failed" if failures else "all leaderboard checks passed")
    return 1 if failures else 0


def run(server, class_dir, tmp, model, instructor, alice, bob, hidden_path):
    status, tasks = server.json("GET", "/api/leaderboard/tasks")
    ids = [t["id"] for t in tasks["tasks"]]
    check(status == 200 and "mnist" in ids and "fashion-mnist" in ids and tasks["frozen"] is False and
          tasks["perDay"] == 4, f"GET tasks lists mnist and fashion-mnist, not frozen, perDay 4: {ids}")

    # The event stream, opened before the submission: it must announce the board change.
    events = []
    def listen():
        conn = socket.create_connection(("127.0.0.1", server.port), timeout=60)
        conn.sendall(b"GET /api/leaderboard/events HTTP/1.1\r\nHost: x\r\n\r\n")
        buf = b""
        while b"event: board" not in buf:
            chunk = conn.recv(4096)
            if not chunk:
                break
            buf += chunk
        events.append(buf)
        conn.close()
    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    time.sleep(0.3)

    # ---- round trip -------------------------------------------------------------------------------------------
    status, sub = server.submit(alice, model, name="alice")
    check(status == 202 and sub["status"] == "queued" and re.fullmatch(r"[0-9a-f]{16}", sub["id"]),
          f"valid model -> 202 queued with a server id: {status} {sub}")
    done = server.wait_done(sub["id"])
    with open(hidden_path, "rb") as f:
        hidden = f.read()
    n = struct.unpack("<I", hidden[8:12])[0]
    pub_n = n // 2
    pub_c, _ = tt_eval_correct(shard_part(hidden, 0, pub_n), tmp, "public")
    priv_c, _ = tt_eval_correct(shard_part(hidden, pub_n, n), tmp, "private")
    res = done.get("result", {})
    check(done["status"] == "done" and res.get("accuracy") == pub_c / pub_n,
          f"public accuracy = tt eval's {pub_c}/{pub_n} on the hidden set's first half", done)
    check("privateAccuracy" not in res, "the private accuracy is not shown before the deadline", res)
    check(res.get("bytes") == len(model) and res.get("latencyMs", 0) > 0 and res.get("peakBytes", 0) > 2**20 and
          res.get("violations") == [], "result has the file size, a latency, a peak memory and no violations", res)
    status, b = server.json("GET", "/api/leaderboard/board?task=mnist")
    e = b["entries"][0] if b["entries"] else {}
    check(status == 200 and len(b["entries"]) == 1 and e.get("rank") == 1 and e.get("id") == sub["id"] and
          e.get("accuracy") == pub_c / pub_n and e.get("name") == "alice" and b["final"] is False and
          b["winners"] == {"accuracy": sub["id"], "latency": sub["id"], "size": sub["id"], "ratio": sub["id"]},
          "the board ranks it first, with the public accuracy, and it wins every category", b)
    listener.join(10)
    check(events and b"event: board" in events[0] and b'"task": "mnist"' in events[0] and
          b"event: submission" in events[0], "the event stream announced the submission and the board change",
          events[:1])
    status, mine = server.json("GET", "/api/leaderboard/mine", token=alice)
    check(status == 200 and [s["id"] for s in mine["submissions"]] == [sub["id"]], "mine: alice's history", mine)
    status, mine = server.json("GET", "/api/leaderboard/mine", token=bob)
    check(status == 200 and mine["submissions"] == [], "mine: bob has none", mine)

    # Ranking: bob's worse model (every weight of the last layer zeroed: it predicts class 0) ranks second.
    header, payload = H.read_safetensors(model)
    payload = bytearray(payload)
    for name in ("3.weight", "3.bias"):
        a, z = header[name]["data_offsets"]
        payload[a:z] = bytes(z - a)
    status, sub_b = server.submit(bob, H.write_safetensors(header, bytes(payload)), name="bob")
    done_b = server.wait_done(sub_b["id"])
    labels = hidden[32:32 + pub_n]
    zeros = sum(1 for y in labels if y == 0)
    check(done_b["status"] == "done" and done_b["result"]["accuracy"] == zeros / pub_n,
          f"a model that always says 0 scores the share of zeros: {zeros}/{pub_n}", done_b)
    status, b = server.json("GET", "/api/leaderboard/board?task=mnist")
    check([e["name"] for e in b["entries"]] == ["alice", "bob"] and [e["rank"] for e in b["entries"]] == [1, 2],
          "board: alice first, bob second", b)

    # Module 16's int8 form of the same MLP: evaluated through load_classifier, ~4x smaller, within a point.
    int8 = H.quantize_int8(model)
    status, sub_q = server.submit(alice, int8, name="alice")
    done_q = server.wait_done(sub_q["id"])
    acc_q = done_q.get("result", {}).get("accuracy", 0)
    check(status == 202 and done_q["status"] == "done" and abs(acc_q - pub_c / pub_n) <= 0.01 and
          done_q["result"]["bytes"] == len(int8) < len(model) / 3.5,
          f"int8 MLP: {acc_q:.3f} public accuracy (fp32 {pub_c / pub_n:.3f}), {len(int8)} bytes", done_q)

    # TinyGPT: the committed asset is scored in bits per character on the hidden text (public half now).
    with open(os.path.join(H.ROOT, "assets", "tinygpt.safetensors"), "rb") as f:
        gpt = f.read()
    status, sub_g = server.submit(alice, gpt, task="tinygpt", name="alice")
    done_g = server.wait_done(sub_g["id"], timeout=400)
    bpc = done_g.get("result", {}).get("bitsPerChar", 0)
    check(status == 202 and done_g["status"] == "done" and 2.5 < bpc < 3.5 and done_g["result"]["bytes"] == len(gpt),
          f"tinygpt asset: done, {bpc:.3f} bits per character on the hidden text (Austen validation: 2.06)", done_g)
    status, body = server.submit(alice, model, task="tinygpt", name="alice")
    check(status == 400 and "tt.gpt" in body["error"], "an MLP submitted to tinygpt -> 400 naming tt.gpt", body)

    # ---- bad inputs: status, message, nothing stored ----------------------------------------------------------
    before = stored(class_dir)
    truncated = model[:len(model) // 2]
    header, payload = H.read_safetensors(H.mnist_model())
    wrong_arch = H.with_metadata(model, **{"tt.arch": "flatten linear:784:64 relu linear:64:10"})
    unknown_arch = H.with_metadata(model, **{"tt.arch": "flatten quantum:784:128 relu linear:128:10"})
    # 784 x 1,000,000 floats = 3.1 GB: over the evaluator's 2 GiB address-space limit (RLIMIT_AS via prlimit), so
    # building the network fails cleanly instead of allocating it.
    huge = H.with_metadata(model, **{"tt.arch": "flatten linear:784:1000000 relu linear:1000000:10"})
    bad_outputs = H.with_metadata(model, **{"tt.arch": "flatten linear:784:128 relu linear:128:7"})
    with open(os.path.join(H.ROOT, "assets", "mnist-mlp.safetensors"), "rb") as f:
        no_arch = f.read()
    cases = [
        ("truncated safetensors", server.submit(alice, truncated), 400, "is truncated"),
        ("wrong shapes", server.submit(alice, wrong_arch), 400, "shape"),
        ("unknown architecture", server.submit(alice, unknown_arch), 400, "quantum"),
        ("outputs that are not the classes", server.submit(alice, bad_outputs), 400, "7 outputs"),
        ("no tt.arch", server.submit(alice, no_arch), 400, "tt.arch"),
        ("a network over the engine's parameter bound", server.submit(alice, huge), 400, "a model may have"),
        ("not a safetensors file", server.submit(alice, b"\x00" * 64), 400, "header"),
        ("missing token", server.submit(None, model), 401, "missing class token"),
        ("wrong token", server.submit("not-a-token", model), 401, "wrong class token"),
        ("unknown task", server.submit(alice, model, task="imagenet"), 400, "unknown task 'imagenet'"),
        ("path characters in the name", server.submit(alice, model, name="..%2Fetc%2Fpasswd"), 400, "name:"),
        ("a slash in the name", server.submit(alice, model, name="a/b"), 400, "name:"),
        ("an empty name", server.submit(alice, model, name=""), 400, "name:"),
    ]
    for what, (status, body), want, message in cases:
        check(status == want and message in (body or {}).get("error", ""),
              f"{what} -> {want} naming {message!r}", f"{status} {body}")
    status, body = raw_request(server.port, "POST /api/leaderboard/submissions?task=mnist&name=big HTTP/1.1\r\n"
                               f"Host: x\r\nAuthorization: Bearer {alice}\r\nContent-Length: {10 * 2**20 + 1}\r\n\r\n")
    check(status == 413 and b"limit is 10485760" in body, "oversized (Content-Length > 10 MB) -> 413 before the body",
          f"{status} {body[:200]}")
    status, body = raw_request(server.port, "POST /api/leaderboard/submissions?task=mnist&name=nolen HTTP/1.1\r\n"
                               f"Host: x\r\nAuthorization: Bearer {alice}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    check(status == 411 and b"Content-Length is required" in body, "no Content-Length -> 411", f"{status} {body}")
    status, body = raw_request(server.port, "POST /api/leaderboard/submissions?task=mnist&name=short HTTP/1.1\r\n"
                               f"Host: x\r\nAuthorization: Bearer {alice}\r\nContent-Length: 5000\r\n"
                               "Connection: close\r\n\r\n", model[:100])
    check(status == 400 and b"the upload ended after 100 of 5000 bytes" in body, "a body cut short -> 400",
          f"{status} {body}")
    check(stored(class_dir) == before, "nothing stored by any rejected request (db rows, uploads folder)",
          f"{before} -> {stored(class_dir)}")

    # ---- the per-day limit -------------------------------------------------------------------------------------
    for i in range(1):  # alice has 2 MNIST today (fp32, int8), bob 1: per-day is 4
        status, _ = server.submit(alice, model, name="alice")
    status, _ = server.submit(alice, model, name="alice")
    check(status == 202, "alice's 4th submission today is accepted")
    before = stored(class_dir)
    status, body = server.submit(alice, model, name="alice")
    check(status == 429 and "daily limit" in body["error"] and stored(class_dir) == before,
          "the 5th -> 429 daily limit, nothing stored", body)

    # ---- export ------------------------------------------------------------------------------------------------
    status, data, headers = server.request("GET", "/api/leaderboard/export.csv?task=mnist", token=instructor)
    lines = data.decode().strip().splitlines()
    check(status == 200 and headers.get("Content-Type", "").startswith("text/csv") and len(lines) == 1 + 5 and
          lines[0].startswith("id,task,name,token,submittedAt,status,public,private") and "student-01" in data.decode(),
          "export.csv: the instructor gets every submission (alice 4 MNIST, bob 1) with the token's label", data[:300])
    status, body = server.json("GET", "/api/leaderboard/export.csv?task=mnist", token=alice)
    check(status == 403 and "instructor" in body["error"], "export.csv with a student token -> 403", body)

    # ---- hidden files unreachable ------------------------------------------------------------------------------
    secret = {open(os.path.join(class_dir, "tokens.csv")).read().split("\n")[1].split(",")[0].encode()}
    targets = ["/api/leaderboard/../../hidden/mnist-hidden.ttds", "/api/leaderboard/%2e%2e/%2e%2e/tokens.csv",
               "/../class/tokens.csv", "/%2e%2e/class/hidden/mnist-hidden.ttds", "/..%2fclass%2ftokens.csv",
               f"{class_dir}/tokens.csv", f"/{class_dir}/leaderboard.db", f"//{class_dir}/hidden/mnist-hidden.ttds",
               "/hidden/mnist-hidden.ttds", "/leaderboard.db", "/tokens.csv", "/uploads/", "/config.json",
               "/api/leaderboard/hidden/mnist-hidden.ttds", "/api/leaderboard/tokens.csv",
               "/..\\class\\tokens.csv", "/%252e%252e/class/tokens.csv",
               "/api/leaderboard/submissions/..%2f..%2ftokens.csv", "/api/leaderboard/board?task=../tokens.csv",
               "/api/leaderboard/board?task=" + class_dir + "/hidden/mnist-hidden.ttds"]
    with open(hidden_path, "rb") as f:
        labels_bytes = f.read()[32:32 + 64]
    for path in targets:
        status, body = raw_request(server.port, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                   f"Authorization: Bearer {instructor}\r\n\r\n")
        leaked = labels_bytes in body or any(s in body for s in secret) or b"SQLite format" in body
        check(status in (400, 404) and not leaked, f"GET {path} -> {status}, nothing of the class folder", body[:120])

    # ---- the freeze --------------------------------------------------------------------------------------------
    path = os.path.join(class_dir, "config.json")
    with open(path) as f:
        config = json.load(f)
    config["deadline"] = "2000-01-01T00:00:00Z"
    with open(path, "w") as f:
        json.dump(config, f)
    before = stored(class_dir)
    status, body = server.submit(bob, model, name="bob")
    check(status == 403 and "frozen" in body["error"] and stored(class_dir) == before,
          "after the deadline -> 403 frozen, nothing stored", body)
    status, b = server.json("GET", "/api/leaderboard/board?task=mnist")
    e = b["entries"][0]
    check(b["frozen"] is True and b["final"] is True and e["privateAccuracy"] == priv_c / (n - pub_n) and
          e["accuracy"] == pub_c / pub_n, f"frozen board is final: alice's private accuracy = tt eval's "
          f"{priv_c}/{n - pub_n}", e)


def static_only(tmp, model, alice):
    """Without --leaderboard the API paths are 404 and the site stays static."""
    proc = subprocess.Popen([sys.executable, os.path.join(H.ROOT, "serve.py"), "--root", os.path.join(tmp, "site"),
                             "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=dict(os.environ, TT_SERVE_QUIET="1"))
    try:
        port = int(proc.stdout.readline().split()[1])
        got = [raw_request(port, f"GET {p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")[0]
               for p in ("/api/leaderboard/tasks", "/api/leaderboard/board?task=mnist")]
        got.append(raw_request(port, "POST /api/leaderboard/submissions?task=mnist&name=a HTTP/1.1\r\nHost: x\r\n"
                               f"Authorization: Bearer {alice}\r\nContent-Length: {len(model)}\r\n\r\n", model)[0])
        got.append(raw_request(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")[0])
        check(got == [404, 404, 404, 200], f"without --leaderboard: API paths 404, the site 200: {got}")
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()


def restart(tmp, class_dir, model, alice):
    """Stop, plant a submission left 'queued' (as if the server died before evaluating it), start again."""
    before = stored(class_dir)
    db = sqlite3.connect(os.path.join(class_dir, "leaderboard.db"))
    with db:
        old = [r[0] for r in db.execute("SELECT id FROM submissions ORDER BY seq")]
        db.execute("INSERT INTO submissions (id, task, name, token_hash, submitted_at, day, status, bytes) "
                   "VALUES ('00000000000000aa', 'mnist', 'carol', 'x', 1.0, '1970-01-01', 'queued', ?)", (len(model),))
    db.close()
    with open(os.path.join(class_dir, "uploads", "00000000000000aa.safetensors"), "wb") as f:
        f.write(model)
    server = H.Server(tmp, class_dir, TT)
    try:
        kept = [server.wait_done(sid)["status"] for sid in old]  # one may have been running at the stop
        check(len(old) == before[0] == 6 and kept == ["done"] * len(old),
              f"after a restart all {len(old)} are there, done", kept)
        done = server.wait_done("00000000000000aa")
        check(done["status"] == "done", "the submission left queued is evaluated after the restart", done)
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
