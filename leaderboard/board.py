"""Ranking: a task's done submissions as the board of docs/leaderboard.md.

- The metric shown is the public part's (accuracy: higher is better; bits per character: lower is better); when the
  board is final (after the deadline) the private part is shown beside it and ranks, Kaggle-style.
- A submission with constraint violations (latency, peak memory over the task's limits) is listed under "unranked".
- Each display name is ranked by its best submission; ties go to the earlier submission.
- Winners among the ranked entries: accuracy (the top), latency (lowest median batch-1 ms), size (fewest bytes),
  ratio (the best metric per MiB: accuracy / MiB, or 1 / (bits per char x MiB)).
"""
import json
import time

METRIC_KEY = {"accuracy": "accuracy", "bits_per_char": "bitsPerChar"}


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def public_view(row, task, final):
    """A submission as the API shows it (no token hash, no private score before the end)."""
    out = {"id": row["id"], "task": row["task"], "name": row["name"], "submittedAt": iso(row["submitted_at"]),
           "status": row["status"]}
    if row["error"]:
        out["error"] = row["error"]
    if row["result"]:
        r = json.loads(row["result"])
        key = METRIC_KEY[task["metric"]]
        res = {key: r["public"], "latencyMs": r["latencyMs"], "bytes": r["bytes"], "peakBytes": r["peakBytes"],
               "violations": r["violations"]}
        if final:
            res["private" + key[0].upper() + key[1:]] = r["private"]
        out["result"] = res
    return out


def score(entry, key, final):
    """Sort key, smaller first."""
    value = entry["result"]["private" + key[0].upper() + key[1:]] if final else entry["result"][key]
    return -value if key == "accuracy" else value


def build(task, rows, frozen, final):
    key = METRIC_KEY[task["metric"]]
    ranked_best, unranked = {}, []
    for row in rows:  # oldest first: a later tie never replaces an earlier entry
        if row["status"] != "done":
            continue
        e = public_view(row, task, final)
        if e["result"]["violations"]:
            unranked.append(e)
            continue
        best = ranked_best.get(e["name"])
        if best is None or score(e, key, final) < score(best, key, final):
            ranked_best[e["name"]] = e
    order = sorted(ranked_best.values(), key=lambda e: (score(e, key, final), e["submittedAt"], e["id"]))
    entries = []
    for i, e in enumerate(order):
        flat = {"rank": i + 1, "id": e["id"], "name": e["name"], "submittedAt": e["submittedAt"]}
        flat.update(e["result"])
        entries.append(flat)
    flat_unranked = [dict({"id": e["id"], "name": e["name"], "submittedAt": e["submittedAt"]}, **e["result"])
                     for e in unranked]
    winners = {}
    if entries:
        mib = lambda e: e["bytes"] / 2**20  # noqa: E731
        metric = (lambda e: e[key]) if not final else (lambda e: e["private" + key[0].upper() + key[1:]])
        if key == "accuracy":
            ratio = lambda e: metric(e) / mib(e)  # noqa: E731
        else:
            ratio = lambda e: 1.0 / (max(metric(e), 1e-9) * mib(e))  # noqa: E731
        winners = {"accuracy": entries[0]["id"],
                   "latency": min(entries, key=lambda e: (e["latencyMs"], e["rank"]))["id"],
                   "size": min(entries, key=lambda e: (e["bytes"], e["rank"]))["id"],
                   "ratio": max(entries, key=lambda e: (ratio(e), -e["rank"]))["id"]}
    return {"task": task["id"], "frozen": frozen, "final": final, "metric": task["metric"], "entries": entries,
            "unranked": flat_unranked, "winners": winners}
