# PyTorch's side of the training-step benchmark (bench/train-step.mjs): one SGD step (forward, cross-entropy,
# backward, optimizer step) at batch 64 on one CPU thread, for the Fashion-MNIST CNN of assets/fashion-cnn.json
# and the MLP 784-256-128-10. Prints one JSON object: median seconds per step and each network's parameter count
# (the caller checks it against ours: the same architecture, not just the same name).
#   /usr/bin/python3 bench/torch_train_step.py [seconds-per-sample] [cpu|wall]
import json
import os
import sys
import time

import torch
from torch import nn

target = float(sys.argv[1]) if len(sys.argv) > 1 else 0.05
clock = time.process_time if (sys.argv[2] if len(sys.argv) > 2 else "cpu") == "cpu" else time.perf_counter
torch.set_num_threads(1)
torch.manual_seed(0)
BATCH, LR = 64, 0.01

NETWORKS = {
    # conv:1:16:3:1 relu maxpool:2 conv:16:32:3:1 relu maxpool:2 flatten linear:1568:64 relu linear:64:10
    "cnn": lambda: nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                 nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                                 nn.Linear(1568, 64), nn.ReLU(), nn.Linear(64, 10)),
    # flatten linear:784:256 relu linear:256:128 relu linear:128:10
    "mlp": lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                                 nn.Linear(128, 10)),
}


def median_seconds(fn, samples=7):
    for _ in range(3):
        fn()
    t0 = clock()
    fn()
    reps = max(1, int(target / max(clock() - t0, 1e-7)))
    out = []
    for _ in range(samples):
        t0 = clock()
        for _ in range(reps):
            fn()
        out.append((clock() - t0) / reps)
    return sorted(out)[len(out) // 2]


# Debian's torch does its matrix products (nn.Linear) through the system BLAS and its convolutions through oneDNN;
# which BLAS the system provides decides the MLP's speed, so it is reported.
blas = os.path.realpath("/etc/alternatives/libblas.so.3-x86_64-linux-gnu")
result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "batch": BATCH, "blas": blas,
          "mkldnn": torch.backends.mkldnn.is_available()}
for name, make in NETWORKS.items():
    model = make()
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(BATCH, 1, 28, 28)
    y = torch.arange(BATCH) * 7 % 10
    losses = []

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())

    seconds = median_seconds(step)
    result[name] = {"parameters": sum(p.numel() for p in model.parameters()), "seconds": seconds,
                    "first_loss": losses[0]}
print(json.dumps(result))
