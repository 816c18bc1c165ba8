#!/usr/bin/env python3
"""pytorch_dynamics.py - record training dynamics in your own PyTorch loop, for
`coreset import` (man coreset-import).

What it records, in exactly the file coreset import reads (HDF5 through h5py,
or .npz):
  labels      [N]           the class of every training sample
  logits      [T, N, C]     every sample's logits at every epoch, by sample index
  cam         [T, N, h, w]  Grad-CAM of the target layer (your last conv block),
                            for the predicted class, through a forward hook
  used        [T, N]        1 where the sample was in a batch you back-propagated
  embeddings  [N, D]        the penultimate features (the input of your linear
                            head) from an eval pass after training

Your dataset must also return each sample's index (its position in the
training split), so that records land in the right row whatever the shuffling:

    rec = DynamicsRecorder(model, n=len(train_set), num_classes=C, epochs=T,
                           cam_layer=model.features[-1], head=model.fc)
    for epoch in range(T):
        rec.start_epoch(epoch)
        for x, y, idx in loader:             # idx: the samples' indices
            logits = model(x)                # hooks catch the cam layer's output
            loss = F.cross_entropy(logits, y)
            rec.record(idx, logits)          # before backward: it needs the graph
            opt.zero_grad(); loss.backward(); opt.step()
    rec.embed(eval_loader)                   # optional: penultimate features
    rec.save("dynamics.h5", labels)

then `coreset import dynamics.h5 -c CONFIG -o RUN`, where CONFIG names the same
dataset (its training split, in the same order).

Grad-CAM (Selvaraju et al.): for the predicted class c, alpha_k = mean over
positions of d z_c / d A_k, map = ReLU(sum_k alpha_k A_k).  The gradient is
taken with torch.autograd.grad on the batch's sum of z_c, which is exact per
sample as long as nothing after the target layer mixes samples (pooling and a
linear head do not; batch norm in train mode after it would).  coreset
computes the focus from the maps (coreset-import(1)).
"""
import numpy as np
import torch


class DynamicsRecorder:
    def __init__(self, model, n, num_classes, epochs, cam_layer=None, head=None):
        self.model, self.n, self.C, self.T = model, n, num_classes, epochs
        self.logits = np.zeros((epochs, n, num_classes), np.float32)
        self.used = np.zeros((epochs, n), np.uint8)
        self.cam = None  # [T, N, h, w], allocated at the first batch (h, w from the layer)
        self.embeddings = None
        self.epoch = 0
        self._act = None
        self._feat = None
        self._hooks = []
        if cam_layer is not None:
            self._hooks.append(cam_layer.register_forward_hook(self._keep_activation))
        if head is not None:
            self._hooks.append(head.register_forward_pre_hook(self._keep_features))

    def _keep_activation(self, module, inputs, output):
        self._act = output

    def _keep_features(self, module, inputs):
        self._feat = inputs[0]

    def start_epoch(self, epoch):
        self.epoch = epoch

    def record(self, idx, logits, used=True):
        """One batch: idx (the samples' indices), logits (still attached to the
        graph, for Grad-CAM); used: whether this batch is back-propagated."""
        idx = torch.as_tensor(idx).cpu().numpy()
        t = self.epoch
        self.logits[t, idx] = logits.detach().float().cpu().numpy()
        self.used[t, idx] = 1 if used else 0
        if self._act is not None:
            A = self._act
            pred = logits.argmax(dim=1)
            zc = logits.gather(1, pred[:, None]).sum()
            (dA,) = torch.autograd.grad(zc, A, retain_graph=True)
            alpha = dA.mean(dim=tuple(range(2, dA.dim())), keepdim=True)
            maps = torch.relu((alpha * A).sum(dim=1)).detach().float().cpu().numpy()
            if self.cam is None:
                self.cam = np.full((self.T, self.n) + maps.shape[1:], np.nan, np.float32)
            self.cam[t, idx] = maps

    @torch.no_grad()
    def embed(self, loader):
        """Penultimate features of every sample, from an eval-mode pass (no
        augmentation: give it a loader over the plain training split)."""
        was = self.model.training
        self.model.eval()
        for x, _, idx in loader:
            self.model(x)
            f = self._feat.flatten(1).float().cpu().numpy()
            if self.embeddings is None:
                self.embeddings = np.zeros((self.n, f.shape[1]), np.float32)
            self.embeddings[torch.as_tensor(idx).cpu().numpy()] = f
        self.model.train(was)

    def arrays(self, labels):
        out = {"labels": np.asarray(labels, np.int64).reshape(-1), "logits": self.logits, "used": self.used}
        if self.cam is not None:
            out["cam"] = self.cam
        if self.embeddings is not None:
            out["embeddings"] = self.embeddings
        return out

    def save(self, path, labels):
        """HDF5 (h5py) for .h5/.hdf5, else a compressed .npz."""
        arrays = self.arrays(labels)
        if str(path).endswith((".h5", ".hdf5")):
            import h5py
            with h5py.File(path, "w") as h:
                for k, v in arrays.items():
                    h.create_dataset(k, data=v)
        else:
            np.savez_compressed(path, **arrays)

    def close(self):
        for h in self._hooks:
            h.remove()
        self._hooks = []
