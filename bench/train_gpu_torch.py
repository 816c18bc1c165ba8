"""train_gpu_torch.py MODEL C H W CLASSES BATCH WARMUP STEPS MODE - PyTorch's training samples/s
on the GPU for the models of bench/train_gpu_bench.c (tests/torch_ref.py builds them as
nn/model_arch.c does), random data, SGD with momentum.

Like ours, every step copies its batch from (pinned) host memory to the device.  MODE:
  eager     float32, TF32 off (the precision of our default)
  amp_cl    bf16 autocast + channels_last (not equal precision: says so in its line)
  compile   torch.compile of the float32 model (compile time excluded by the warm-up)
  logging   float32 eager plus what a recorded epoch keeps: per-sample probabilities,
            loss and correctness copied to the host every step, and Grad-CAM at the last
            block by a forward hook and torch.autograd.grad, with each map's focus
            (min-max normalise, mean at or above the 90th percentile) on the device."""
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import torch_ref  # noqa: E402


def build(name, c, classes, d1):
    if name == "cnn-small":
        return torch_ref.CnnSmall(c, classes, 64)
    if name == "resnet1d":
        return torch_ref.ResNet(c, classes, 64, [2, 2, 2, 2], True, k=7, stem_stride=2)
    return torch_ref.ResNet(c, classes, 64, [2, 2, 2, 2], False)


def focus(maps):
    """maps (B, P) >= 0 -> focus per sample, as train/focus.h defines it."""
    lo = maps.min(dim=1, keepdim=True).values
    hi = maps.max(dim=1, keepdim=True).values
    span = hi - lo
    v = torch.where(span > 0, (maps - lo) / span.clamp_min(1e-30), torch.zeros_like(maps))
    q = torch.quantile(v, 0.9, dim=1, keepdim=True)
    keep = (v >= q).float()
    return torch.where(span.squeeze(1) > 0, (v * keep).sum(1) / keep.sum(1), torch.zeros_like(span.squeeze(1)))


def main():
    name = sys.argv[1]
    c, h, w, classes, batch, warm, steps = map(int, sys.argv[2:9])
    mode = sys.argv[9]
    dev = torch.device(os.environ.get("BENCH_DEVICE", "cuda"))  # cpu: a smoke test without a GPU
    gpu = dev.type == "cuda"
    sync = torch.cuda.synchronize if gpu else (lambda: None)
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    torch_ref.TRACK_MARGIN[0] = False
    torch.manual_seed(1)
    d1 = h == 1
    model = build(name, c, classes, d1).to(dev)
    shape = (batch, c, w) if d1 else (batch, c, h, w)
    x_host = torch.randn(*shape)
    y_host = torch.randint(0, classes, (batch,))
    if gpu:
        x_host, y_host = x_host.pin_memory(), y_host.pin_memory()
    if mode == "amp_cl" and not d1:
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    step_model = torch.compile(model) if mode == "compile" else model
    acts = {}
    if mode == "logging":
        last = model.layer4 if hasattr(model, "layer4") else model.block3
        last.register_forward_hook(lambda mod, inp, out: acts.__setitem__("a", out))
    model.train()
    sink = 0.0
    for it in range(warm + steps):
        if it == warm:
            sync()
            t0 = time.perf_counter()
        x = x_host.to(dev, non_blocking=True)
        y = y_host.to(dev, non_blocking=True)
        if mode == "amp_cl" and not d1:
            x = x.contiguous(memory_format=torch.channels_last)
        opt.zero_grad(set_to_none=True)
        if mode == "amp_cl":
            with torch.autocast(dev.type, dtype=torch.bfloat16):
                z = step_model(x)
                loss = F.cross_entropy(z.float(), y)
        else:
            z = step_model(x)
            loss = F.cross_entropy(z, y)
        if mode == "logging":
            with torch.no_grad():
                p = z.softmax(1)
                per = F.cross_entropy(z, y, reduction="none")
                rec = torch.stack([p.gather(1, y[:, None])[:, 0], per, (z.argmax(1) == y).float()], 1)
            a = acts["a"]
            g, = torch.autograd.grad(z.gather(1, y[:, None]).sum(), a, retain_graph=True)
            with torch.no_grad():
                dims = tuple(range(2, a.dim()))
                alpha = g.mean(dim=dims, keepdim=True)
                cam = F.relu((alpha * a).sum(1)).flatten(1)
                f = focus(cam)
            rec_host = rec.cpu()
            sink += float(f.sum().cpu()) + float(rec_host[0, 0])
        loss.backward()
        opt.step()
    sync()
    dt = time.perf_counter() - t0
    label = {"eager": "eager fp32", "amp_cl": "AMP bf16 + channels_last (lower precision)",
             "compile": "torch.compile fp32", "logging": "eager fp32 + per-sample logging + Grad-CAM hooks + focus"}
    print("torch %s %dx%dx%d batch %d %s: %.1f samples/s (%d steps, %.4f s/step, loss %.3f)"
          % (name, c, h, w, batch, label[mode], steps * batch / dt, steps, dt / steps, loss.item()))


if __name__ == "__main__":
    main()
