#!/usr/bin/env python3
"""PyTorch CPU (1 thread) on bench/bench_gpt.cpp's GPT config: training tokens/s (forward + cross entropy +
backward + AdamW, batch 8 x 64 tokens) and generation tokens/s without a cache (64 and 256 tokens) (PyTorch's nn.MultiheadAttention has
none), for the comparison in bench/README.md. The model is the one tests/fixtures/make_fixtures.py checks the engine
against. Prints one JSON object.   /usr/bin/python3 bench/gpt_torch.py [--quick]"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures"))
from make_fixtures import _GPT  # noqa: E402

quick = "--quick" in sys.argv
torch.set_num_threads(1)
torch.manual_seed(0)
V, block, L, H, C, B, T = 65, 1024, 4, 4, 128, 8, 64
model = _GPT(V, block, L, H, C, tie=True)
opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
x, y = torch.randint(0, V, (B, T)), torch.randint(0, V, (B, T))


def step():
    opt.zero_grad()
    F.cross_entropy(model(x).reshape(-1, V), y.reshape(-1)).backward()
    opt.step()


def median_ms(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return sorted(times)[len(times) // 2]


def section(fn):
    """fn's result with the share of its wall time this process was on a CPU (as bench_gpt.cpp's timed_section):
    on shared, loaded cores, wall x cpu_share estimates the time on an idle machine."""
    c0, w0 = time.process_time(), time.perf_counter()
    result = fn()
    result["cpu_share"] = min(1.0, (time.process_time() - c0) / max(time.perf_counter() - w0, 1e-9))
    return result


def training():
    ms = median_ms(step, 3 if quick else 10)
    return {"batch": B, "T": T, "ms_per_step": ms, "tokens_per_s": B * T / ms * 1000}


out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "training": section(training)}


def generate(n):
    idx = torch.zeros(1, 1, dtype=torch.long)
    with torch.no_grad():
        for _ in range(n):
            nxt = model(idx)[:, -1].argmax(-1, keepdim=True)
            idx = torch.cat([idx, nxt], 1)


out["decoding_uncached"] = section(lambda: {"rows": [
    {"tokens": n, "tokens_per_s": n / median_ms(lambda: generate(n), 1) * 1000} for n in ([64] if quick else [64, 256])]})
print(json.dumps(out))
