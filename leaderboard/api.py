"""The competition API under /api/leaderboard/ (docs/leaderboard.md is the contract), served by serve.py's request
handler when it runs with --leaderboard CLASS_DIR.

Security: every write checks its token first; the size limit is checked on Content-Length before a byte of the body
is read; no path is ever built from user input (uploads are named by server-generated ids, tasks are looked up in
the config); a file is validated by `tt evaluate --check-only` before anything is stored, so a malformed file gets
a clear 400 and never reaches the queue.
"""
import csv
import datetime
import hmac
import io
import json
import os
import re
import secrets
import threading
import time
import urllib.parse

from . import board, classdir, evaluator, events, store

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _-]{0,31}")
ID_RE = re.compile(r"[0-9a-f]{16}")


class ApiError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def parse_deadline(text):
    if not text:
        return None
    t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=datetime.timezone.utc)
    return t.timestamp()


class Leaderboard:
    def __init__(self, class_dir, tt, heartbeat=15.0, workers=None):
        self.dir = os.path.realpath(class_dir)
        if not os.path.isfile(os.path.join(self.dir, "config.json")):
            raise SystemExit(f"serve.py: {class_dir} is not a class folder (no config.json): create it with "
                             f"'python3 serve.py leaderboard-init {class_dir}'")
        self.tt = tt
        if not os.access(tt, os.X_OK):
            raise SystemExit(f"serve.py: the evaluator {tt} is missing: build it with 'make native' (or pass --tt)")
        self.heartbeat = heartbeat
        self.uploads = os.path.join(self.dir, "uploads")
        self.store = store.open_store(self.dir)
        self.hub = events.Hub()
        self._mtimes, self._config, self._tokens = {}, None, None
        self.lock = threading.Lock()
        self.board_cache = {}
        self.checks = threading.BoundedSemaphore(max(2, 2 * (os.cpu_count() or 1)))  # concurrent validations
        config = self.config()
        self.pool = evaluator.Pool(self.evaluate, workers or config.get("workers") or os.cpu_count() or 1)
        for row in self.store.unfinished():  # a restart re-queues what the last run had not finished
            self.pool.put(row["id"])

    # ---- config and tokens, reloaded when their files change (the instructor may move the deadline) --------------
    def _reload(self, name, load):
        path = os.path.join(self.dir, name)
        mtime = os.stat(path).st_mtime_ns
        with self.lock:
            if self._mtimes.get(name) != mtime:
                self._mtimes[name] = mtime
                setattr(self, "_" + name.split(".")[0], load(self.dir))
                self.board_cache.clear()
            return getattr(self, "_" + name.split(".")[0])

    def config(self):
        return self._reload("config.json", classdir.load_config)

    def tokens(self):
        return self._reload("tokens.csv", classdir.load_tokens)

    def task(self, task_id):
        for t in self.config()["tasks"]:
            if t["id"] == task_id:
                return t
        names = ", ".join(t["id"] for t in self.config()["tasks"])
        raise ApiError(400, f"unknown task {task_id!r}; the tasks are: {names}")

    def frozen(self):
        deadline = parse_deadline(self.config().get("deadline"))
        return deadline is not None and time.time() >= deadline

    def role(self, handler, required=True):
        """(token, role) from 'Authorization: Bearer TOKEN', compared in constant time; ApiError 401 otherwise."""
        header = handler.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not header[7:].strip():
            raise ApiError(401, "missing class token: send 'Authorization: Bearer TOKEN' (your instructor gave you one)")
        given = header[7:].strip()
        for token, role in self.tokens().items():
            if hmac.compare_digest(token.encode(), given.encode()):
                return token, role
        raise ApiError(401, "wrong class token: it is not one of this class's tokens")

    # ---- dispatch ---------------------------------------------------------------------------------------------------
    def handle(self, handler, method):
        url = urllib.parse.urlsplit(handler.path)
        route = url.path[len("/api/leaderboard"):]
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        try:
            if method == "POST" and route == "/submissions":
                return self.send_json(handler, 202, self.submit(handler, query))
            if method not in ("GET", "HEAD"):
                raise ApiError(405, f"{method} is not allowed on {url.path}")
            if route == "/tasks":
                return self.send_json(handler, 200, self.tasks())
            if route == "/board":
                return self.send_body(handler, 200, "application/json", self.board(query.get("task", "")))
            if route.startswith("/submissions/"):
                return self.send_json(handler, 200, self.submission(route[len("/submissions/"):]))
            if route == "/mine":
                token, _ = self.role(handler)
                final = self.frozen()
                tasks = {t["id"]: t for t in self.config()["tasks"]}
                rows = [r for r in self.store.of_token(token) if r["task"] in tasks]
                return self.send_json(handler, 200, {"submissions": [board.public_view(r, tasks[r["task"]], final)
                                                                     for r in rows]})
            if route == "/events":
                return events.stream(handler, self.hub, self.heartbeat)
            if route == "/export.csv":
                return self.send_body(handler, 200, "text/csv; charset=utf-8", self.export(handler, query))
            raise ApiError(404, f"no such leaderboard resource: {url.path}")
        except ApiError as e:
            if method == "POST":
                handler.close_connection = True  # the body may be unread
            return self.send_json(handler, e.status, {"error": str(e)})

    def send_json(self, handler, status, obj):
        return self.send_body(handler, status, "application/json", json.dumps(obj).encode())

    def send_body(self, handler, status, ctype, body):
        handler.send_response(status)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Cache-Control", "no-store")
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(body)

    # ---- reads --------------------------------------------------------------------------------------------------------
    def tasks(self):
        config = self.config()
        out = []
        for t in config["tasks"]:
            item = {k: t[k] for k in ("id", "title", "kind", "metric", "maxLatencyMs") if k in t}
            for k in ("input", "classes"):
                if k in t:
                    item[k] = t[k]
            item["maxBytes"] = config["maxBytes"]
            out.append(item)
        return {"tasks": out, "deadline": config.get("deadline"), "frozen": self.frozen(), "perDay": config["perDay"]}

    def board(self, task_id):
        task = self.task(task_id)
        frozen = self.frozen()
        key = (task_id, self.store.version, frozen)
        with self.lock:
            cached = self.board_cache.get(task_id)
        if cached and cached[0] == key:
            return cached[1]
        body = json.dumps(board.build(task, self.store.of_task(task_id), frozen, frozen)).encode()
        with self.lock:
            self.board_cache[task_id] = (key, body)
        return body

    def submission(self, sid):
        row = self.store.get(sid) if ID_RE.fullmatch(sid) else None
        if row is None:
            raise ApiError(404, f"no submission {sid!r}")
        return board.public_view(row, self.task(row["task"]), self.frozen())

    def export(self, handler, query):
        _, role = self.role(handler)
        if role != "instructor":
            raise ApiError(403, "the CSV export needs the instructor token")
        task = self.task(query.get("task", ""))
        labels = {store.token_hash(t): label for t, label in self._labels().items()}
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(["id", "task", "name", "token", "submittedAt", "status", "public", "private", "latencyMs", "bytes",
                    "peakBytes", "violations", "error"])
        for r in self.store.of_task(task["id"]):
            res = json.loads(r["result"]) if r["result"] else {}
            w.writerow([r["id"], r["task"], r["name"], labels.get(r["token_hash"], ""), board.iso(r["submitted_at"]),
                        r["status"], res.get("public", ""), res.get("private", ""), res.get("latencyMs", ""),
                        r["bytes"], res.get("peakBytes", ""), "; ".join(res.get("violations", [])), r["error"] or ""])
        return out.getvalue().encode()

    def _labels(self):
        with open(os.path.join(self.dir, "tokens.csv"), newline="") as f:
            return {row["token"]: row["label"] for row in csv.DictReader(f)}

    # ---- the write ----------------------------------------------------------------------------------------------------
    def submit(self, handler, query):
        config = self.config()
        task = self.task(query.get("task", ""))
        token, _ = self.role(handler)
        if self.frozen():
            raise ApiError(403, f"the competition is frozen: the deadline {config['deadline']} has passed")
        name = query.get("name", "")
        if not NAME_RE.fullmatch(name):
            raise ApiError(400, "name: 1 to 32 letters, digits, spaces, '_' or '-', starting with a letter or digit "
                                f"(got {name[:40]!r})")
        length = handler.headers.get("Content-Length")
        if length is None or not length.strip().isdigit():
            raise ApiError(411, "Content-Length is required (the size is checked before the upload is read)")
        length = int(length)
        if length > config["maxBytes"]:
            raise ApiError(413, f"the file is {length} bytes; the limit is {config['maxBytes']} bytes (10 MB)")
        if length < 8:
            raise ApiError(400, f"the file is {length} bytes: not a safetensors file")
        today = [r for r in self.store.of_token(token)
                 if r["task"] == task["id"] and r["day"] == store.utc_day(time.time())]
        if len(today) >= config["perDay"]:
            raise ApiError(429, f"daily limit reached: {config['perDay']} submissions per day for {task['id']}")
        body = bytearray()
        while len(body) < length:
            chunk = handler.rfile.read(min(65536, length - len(body)))
            if not chunk:
                raise ApiError(400, f"the upload ended after {len(body)} of {length} bytes")
            body += chunk
        tmp = os.path.join(self.uploads, f".incoming-{secrets.token_hex(8)}")
        with open(tmp, "wb") as f:
            f.write(body)
        try:
            with self.checks:
                ok, payload = evaluator.run_tt(self.tt, ["--task", task["id"], "--model", tmp, "--check-only",
                                                         "--max-bytes", str(config["maxBytes"])],
                                               config["memoryLimitBytes"], evaluator.CHECK_TIMEOUT)
            if not ok:
                raise ApiError(400, payload)
            try:
                sid = self.store.insert(task["id"], name, token, length, config["perDay"])
            except store.DailyLimit:
                raise ApiError(429, f"daily limit reached: {config['perDay']} submissions per day for {task['id']}")
            os.replace(tmp, os.path.join(self.uploads, f"{sid}.safetensors"))
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self.hub.publish("submission", {"id": sid, "status": "queued"})
        self.pool.put(sid)
        return {"id": sid, "status": "queued"}

    # ---- a worker's job -----------------------------------------------------------------------------------------------
    def evaluate(self, sid):
        row = self.store.get(sid)
        if row is None or row["status"] not in ("queued", "running"):
            return
        try:
            self._evaluate(row)
        except Exception as e:
            self.finish(sid, row["task"], "failed", error=f"the server failed to evaluate it: {e}")

    def _evaluate(self, row):
        sid = row["id"]
        config = self.config()
        task = self.task(row["task"])
        self.store.set_status(sid, "running")
        self.hub.publish("submission", {"id": sid, "status": "running"})
        path = os.path.join(self.uploads, f"{sid}.safetensors")
        if not os.path.isfile(path):
            return self.finish(sid, task["id"], "failed", error="the uploaded file is missing on the server")
        count = task.get("windows") if task["kind"] == "gpt" else task.get("hiddenCount")
        args = ["--task", task["id"], "--model", path, "--data", os.path.join(self.dir, "hidden", task["hidden"]),
                "--max-bytes", str(config["maxBytes"])]
        if count:
            args += ["--public-count", str(int(count * config["publicFraction"]))]
        if task["kind"] == "gpt":
            args += ["--windows", str(task["windows"])]
        ok, payload = evaluator.run_tt(self.tt, args, config["memoryLimitBytes"], config["timeoutSeconds"],
                                       niceness=evaluator.EVALUATION_NICENESS)
        if not ok:
            return self.finish(sid, task["id"], "failed", error=payload)
        key = "accuracy" if task["kind"] == "classifier" else "bitsPerChar"
        violations = []
        if payload["latencyMs"] > task["maxLatencyMs"]:
            violations.append(f"median batch-1 latency {payload['latencyMs']:.2f} ms is over the limit of "
                              f"{task['maxLatencyMs']} ms")
        if payload["peakBytes"] > config["maxPeakBytes"]:
            violations.append(f"peak memory {payload['peakBytes'] / 2**20:.0f} MiB is over the limit of "
                              f"{config['maxPeakBytes'] / 2**20:.0f} MiB")
        result = {"public": payload["public"][key], "private": payload["private"][key],
                  "latencyMs": round(payload["latencyMs"], 4), "bytes": payload["bytes"],
                  "peakBytes": payload["peakBytes"], "parameters": payload["parameters"], "violations": violations}
        self.finish(sid, task["id"], "done", result=result)

    def finish(self, sid, task_id, status, error=None, result=None):
        self.store.set_status(sid, status, error=error, result=result)
        self.hub.publish("submission", {"id": sid, "status": status})
        if status == "done":
            self.hub.publish("board", {"task": task_id})
