#!/usr/bin/env python3
"""Load test of the class leaderboard (ctest native.leaderboard_load), loopback only and bounded in time:
--submitters clients (50) each submit the MNIST MLP, wait for its evaluation, and submit again, while --readers
clients (200) fetch the board in a loop (each on its keep-alive connection, as a browser tab), for --duration seconds (make test: 8; the issue's full run: 60). Then the
queue drains (bounded by --drain seconds) and the test checks that every accepted submission was evaluated ("done")
and that each submitter's name is ranked, with none lost (the export lists exactly the accepted ids).
Prints the board's p50/p95/max latency and the throughput of both sides.

usage: load_leaderboard.py TT_EXECUTABLE [--duration S] [--submitters N] [--readers N] [--drain S]
"""
import argparse
import http.client
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import leaderboard_harness as H  # noqa: E402


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] if s else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tt")
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--submitters", type=int, default=50)
    ap.add_argument("--readers", type=int, default=200)
    ap.add_argument("--drain", type=float, default=300)
    args = ap.parse_args()
    tmp = H.temp_dir()
    model = H.mnist_model()
    failures = []
    try:
        class_dir, instructor, students = H.make_class(tmp, tokens=args.submitters, per_day=100000)
        server = H.Server(tmp, class_dir, os.path.realpath(args.tt), heartbeat=15)
        stop = threading.Event()
        lock = threading.Lock()
        accepted, rejected, board_ms, board_errors = [], [], [], []

        def submitter(i):
            token, name = students[i], f"load-{i:02d}"
            while not stop.is_set():
                try:
                    status, body = server.submit(token, model, name=name)
                except OSError as e:
                    with lock:
                        rejected.append(repr(e))
                    continue
                if status != 202:
                    with lock:
                        rejected.append(f"{status} {body}")
                    continue
                with lock:
                    accepted.append((body["id"], name))
                # Wait for its result before the next one (a student's rhythm; keeps the queue bounded).
                while not stop.is_set():
                    s, sub = server.json("GET", f"/api/leaderboard/submissions/{body['id']}")
                    if s == 200 and sub["status"] in ("done", "failed"):
                        break
                    time.sleep(0.2)

        def reader():
            conn = None  # one keep-alive connection per reader, as a browser tab holds one
            while not stop.is_set():
                t0 = time.perf_counter()
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
                    conn.request("GET", "/api/leaderboard/board?task=mnist")
                    r = conn.getresponse()
                    data = r.read()
                    status = r.status
                    ok = status == 200 and data.startswith(b'{"task"')
                    if r.getheader("Connection", "").lower() == "close":
                        conn.close()
                        conn = None
                except (OSError, http.client.HTTPException) as e:
                    ok, status = False, repr(e)
                    if conn is not None:
                        conn.close()
                    conn = None
                ms = (time.perf_counter() - t0) * 1000
                with lock:
                    (board_ms if ok else board_errors).append(ms if ok else status)

        threads = [threading.Thread(target=submitter, args=(i,), daemon=True) for i in range(args.submitters)]
        threads += [threading.Thread(target=reader, daemon=True) for _ in range(args.readers)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(args.duration)
        stop.set()
        for t in threads:
            t.join(60)
        elapsed = time.monotonic() - t0
        # Drain: every accepted submission must come out evaluated.
        deadline = time.monotonic() + args.drain
        pending = [sid for sid, _ in accepted]
        statuses = {}
        while pending and time.monotonic() < deadline:
            still = []
            for sid in pending:
                s, sub = server.json("GET", f"/api/leaderboard/submissions/{sid}")
                if s == 200 and sub["status"] in ("done", "failed"):
                    statuses[sid] = sub["status"]
                else:
                    still.append(sid)
            pending = still
            if pending:
                time.sleep(0.5)
        drained = time.monotonic() - t0 - elapsed
        status, data, _ = server.request("GET", "/api/leaderboard/export.csv?task=mnist", token=instructor)
        exported = {line.split(",")[0] for line in data.decode().strip().splitlines()[1:]}
        status, board = server.json("GET", "/api/leaderboard/board?task=mnist")
        server.stop()

        names = {name for _, name in accepted}
        ranked = {e["name"] for e in board["entries"]}
        done = sum(1 for s in statuses.values() if s == "done")
        print(f"load: {args.submitters} submitters + {args.readers} board readers for {args.duration:g} s "
              f"(loopback, {os.cpu_count()} cores, {os.cpu_count()} evaluation workers)")
        print(f"  submissions: {len(accepted)} accepted ({len(accepted) / elapsed:.2f}/s), {done} done, "
              f"{len(rejected)} rejected, queue drained {drained:.1f} s after the end")
        print(f"  board reads: {len(board_ms)} ({len(board_ms) / elapsed:.0f}/s), {len(board_errors)} errors; latency "
              f"p50 {percentile(board_ms, 50):.1f} ms, p95 {percentile(board_ms, 95):.1f} ms, "
              f"max {max(board_ms, default=float('nan')):.1f} ms")

        def check(ok, what):
            print(("ok    " if ok else "FAIL  ") + what)
            if not ok:
                failures.append(what)
        check(len(accepted) >= 1, "at least one submission accepted")
        check(not rejected, f"no submission rejected ({rejected[:3]})")
        check(not pending and done == len(accepted), f"every accepted submission evaluated: {done}/{len(accepted)}")
        check(exported == {sid for sid, _ in accepted}, "none lost: the export lists exactly the accepted ids")
        check(ranked == names, f"every submitter is ranked ({len(ranked)}/{len(names)} names)")
        check(board_ms and not board_errors, f"every board read answered ({len(board_errors)} errors)")
    finally:
        H.remove(tmp)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
