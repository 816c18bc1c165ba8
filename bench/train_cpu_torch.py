"""train_cpu_torch.py MODEL BATCH WARMUP STEPS THREADS - PyTorch's training samples/s for the
same models and loop as bench/train_cpu_bench.c (random 1x28x28 data, 10 classes, SGD)."""
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import torch_ref  # noqa: E402


def main():
    name, batch, warm, steps, threads = sys.argv[1], *map(int, sys.argv[2:6])
    torch.set_num_threads(threads)
    torch_ref.TRACK_MARGIN[0] = False
    torch.manual_seed(1)
    if name == "cnn-small":
        model = torch_ref.CnnSmall(1, 10, 64)
    else:
        model = torch_ref.ResNet(1, 10, 64, [2, 2, 2, 2], False)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))
    model.train()
    for it in range(warm + steps):
        if it == warm:
            t0, c0 = time.perf_counter(), time.process_time()
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    dt, dc = time.perf_counter() - t0, time.process_time() - c0
    print("%s batch %d threads %d: %.1f train samples/s (%d steps, %.3f s/step, cpu %.3f s/step, loss %.3f)"
          % (name, batch, threads, steps * batch / dt, steps, dt / steps, dc / steps, loss.item()))


if __name__ == "__main__":
    main()
