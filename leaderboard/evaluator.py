"""Runs `tt evaluate` (engine/cli/evaluate.cpp) on submissions: validation before anything is stored, then a queue
served by a pool of worker threads (one per core), each running one subprocess at a time under limits:
RLIMIT_AS (address space) and RLIMIT_CPU set for the child before tt runs (util-linux prlimit), a wall-clock timeout on top (a model that
sleeps or waits is cut off too). A crash, a timeout or a limit fails that submission only; the others go on.
"""
import json
import os
import queue
import resource
import shutil
import subprocess
import threading

CHECK_TIMEOUT = 20.0  # seconds for --check-only: header, architecture, state dict


PRLIMIT = shutil.which("prlimit")
NICE = shutil.which("nice")
EVALUATION_NICENESS = 10  # below the server's threads: a busy judge never slows the board a class is watching


def _limits(memory_bytes, cpu_seconds):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    return apply


def run_tt(tt, args, memory_bytes, timeout, niceness=0):
    """(ok, payload) from one `tt evaluate` run: payload is the JSON object, or the error message."""
    cmd = [tt, "evaluate", *args]
    cpu = int(timeout) + 1
    # The limits are set in the child before tt runs. util-linux's prlimit does it in its own process, which lets
    # Python start the child with vfork: a preexec_fn forces fork() of the whole threaded server, which holds
    # the interpreter for long enough under load to stall every other request (the load test saw 7 s).
    extra = {} if PRLIMIT else {"preexec_fn": _limits(memory_bytes, cpu)}
    if PRLIMIT:
        cmd = [PRLIMIT, f"--as={memory_bytes}", f"--cpu={cpu}:{cpu + 1}", "--", *cmd]
    if niceness and NICE:
        cmd = [NICE, "-n", str(niceness), *cmd]
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                close_fds=True, process_group=0, **extra)  # its own group: a timeout kills all
    except OSError as e:
        return False, f"the evaluator could not start ({tt}: {e.strerror}); tell the instructor"
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, 9)
        except ProcessLookupError:
            pass
        proc.communicate()
        return False, f"the evaluation took longer than {timeout:g} s and was stopped"
    line = out.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    try:
        payload = json.loads(line[0])
    except ValueError:
        payload = None
    if isinstance(payload, dict) and payload.get("ok") is True and proc.returncode == 0:
        return True, payload
    if isinstance(payload, dict) and isinstance(payload.get("error"), str):
        return False, payload["error"]
    if proc.returncode < 0:  # killed by a signal: the CPU limit (SIGXCPU) or memory (SIGKILL / SIGSEGV / SIGABRT)
        return False, (f"the evaluation was stopped by signal {-proc.returncode} (over the time or memory limit: "
                       f"{memory_bytes // 2**20} MiB)")
    detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
    return False, f"the evaluator failed (exit {proc.returncode}): {detail[0][:300]}"


class Pool:
    """A queue of submission ids and `workers` threads evaluating them; `evaluate(sid)` does one (server side)."""

    def __init__(self, evaluate, workers):
        self.jobs = queue.Queue()
        self.evaluate = evaluate
        self.threads = [threading.Thread(target=self._work, name=f"evaluator-{i}", daemon=True)
                        for i in range(max(1, workers))]
        for t in self.threads:
            t.start()

    def put(self, sid):
        self.jobs.put(sid)

    def stop(self):
        for _ in self.threads:
            self.jobs.put(None)

    def _work(self):
        while True:
            sid = self.jobs.get()
            if sid is None:
                return
            try:
                self.evaluate(sid)
            except Exception as e:  # never lose the worker: the submission is marked failed by evaluate's caller
                print(f"leaderboard: evaluating {sid} raised {e!r}", flush=True)
