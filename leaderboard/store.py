"""The leaderboard's sqlite database (CLASS_DIR/leaderboard.db, WAL): one table of submissions.

One connection shared by every server thread under a lock: sqlite serialises writers anyway, the rows are small,
and a single connection keeps "check the daily count, then insert" atomic without retry loops.
Tokens are never stored: a submission keeps the sha256 of its token (for "my history" and the daily limit).
"""
import hashlib
import json
import os
import secrets
import sqlite3
import threading
import time

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    task TEXT NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    submitted_at REAL NOT NULL,
    day TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    result TEXT,
    bytes INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS by_task ON submissions (task, status);
CREATE INDEX IF NOT EXISTS by_token ON submissions (token_hash, day);
"""


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def utc_day(t):
    return time.strftime("%Y-%m-%d", time.gmtime(t))


class DailyLimit(Exception):
    pass


class Store:
    def __init__(self, path):
        self.lock = threading.Lock()
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a committed row survives a process crash
        self.db.executescript(SCHEMA)
        self.version = 0  # bumped on every change: the board cache's key

    def close(self):
        with self.lock:
            self.db.close()

    def insert(self, task, name, token, size, per_day, now=None):
        """A new queued submission's id, or DailyLimit when the token has per_day today for this task."""
        now = time.time() if now is None else now
        sid = secrets.token_hex(8)  # the only name an upload ever gets on disk
        h = token_hash(token)
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                (count,) = self.db.execute("SELECT COUNT(*) FROM submissions WHERE token_hash=? AND day=? AND task=?",
                                           (h, utc_day(now), task)).fetchone()
                if count >= per_day:
                    raise DailyLimit(count)
                self.db.execute("INSERT INTO submissions (id, task, name, token_hash, submitted_at, day, status, bytes)"
                                " VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)", (sid, task, name, h, now, utc_day(now), size))
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.version += 1
        return sid

    def set_status(self, sid, status, error=None, result=None):
        with self.lock:
            self.db.execute("UPDATE submissions SET status=?, error=?, result=? WHERE id=?",
                            (status, error, None if result is None else json.dumps(result), sid))
            self.version += 1

    def get(self, sid):
        with self.lock:
            row = self.db.execute("SELECT * FROM submissions WHERE id=?", (sid,)).fetchone()
        return None if row is None else dict(row)

    def of_task(self, task):
        with self.lock:
            return [dict(r) for r in self.db.execute("SELECT * FROM submissions WHERE task=? ORDER BY seq", (task,))]

    def of_token(self, token):
        with self.lock:
            return [dict(r) for r in self.db.execute("SELECT * FROM submissions WHERE token_hash=? ORDER BY seq DESC",
                                                     (token_hash(token),))]

    def unfinished(self):
        """Submissions a previous run left queued or running, oldest first (a restart evaluates them again)."""
        with self.lock:
            rows = [dict(r) for r in self.db.execute(
                "SELECT * FROM submissions WHERE status IN ('queued', 'running') ORDER BY seq")]
            self.db.execute("UPDATE submissions SET status='queued' WHERE status='running'")
        return rows

    def count(self):
        with self.lock:
            return self.db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]


def open_store(class_dir):
    return Store(os.path.join(class_dir, "leaderboard.db"))
