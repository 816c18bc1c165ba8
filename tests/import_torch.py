#!/usr/bin/env python3
"""import_torch.py SRC.npz OUT_BASE EPOCHS - train a small CNN on a MedMNIST
training split with PyTorch (CPU), recording its dynamics with
examples/pytorch_dynamics.py, as a user's own loop would; writes OUT_BASE.h5
and OUT_BASE.npz (the same arrays).  Seeded: the same run gives the same file."""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))
from pytorch_dynamics import DynamicsRecorder  # noqa: E402


class Net(nn.Module):
    def __init__(self, C):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
                                      nn.MaxPool2d(2),
                                      nn.Sequential(nn.Conv2d(16, 32, 3, padding=1), nn.ReLU()))
        self.fc = nn.Linear(32, C)

    def forward(self, x):
        a = self.features(x)  # the last conv block: Grad-CAM's target layer
        return self.fc(a.mean(dim=(2, 3)))


class Indexed(torch.utils.data.Dataset):
    """The training split, returning each sample's index too."""
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i], i


def main(src, out, T):
    torch.manual_seed(0)
    torch.set_num_threads(1)
    d = np.load(src)
    x = torch.from_numpy((d["train_images"].astype(np.float32) / 255.0 - 0.5) / 0.25)[:, None]
    y = torch.from_numpy(d["train_labels"].reshape(-1).astype(np.int64))
    C = int(y.max()) + 1
    ds = Indexed(x, y)
    loader = torch.utils.data.DataLoader(ds, batch_size=64, shuffle=True,
                                         generator=torch.Generator().manual_seed(0))
    model = Net(C)
    opt = torch.optim.Adam(model.parameters(), lr=0.003)
    rec = DynamicsRecorder(model, n=len(ds), num_classes=C, epochs=T, cam_layer=model.features[-1], head=model.fc)
    for epoch in range(T):
        rec.start_epoch(epoch)
        for xb, yb, idx in loader:
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            rec.record(idx, logits)
            opt.zero_grad()
            loss.backward()
            opt.step()
    rec.embed(torch.utils.data.DataLoader(ds, batch_size=128))
    rec.close()
    rec.save(out + ".h5", y.numpy())
    rec.save(out + ".npz", y.numpy())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
