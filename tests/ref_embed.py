"""ref_embed.py NPZ WIDTH RUN32 RUN16 - PyTorch reference for the embeddings
`coreset score` stores (tests/t_embed.sh).

RUN32 and RUN16 are the same cnn-small run (record.eval_pass: true) stored as
float32 and float16.  With the eval pass, the last epoch's embeddings are the
global-average-pooled features of the trained model in eval mode on the
unaugmented training images, i.e. of the weights in RUN32/checkpoint.bin.  The
model is rebuilt in PyTorch (tests/torch_ref.py's CnnSmall), loaded from the
checkpoint's slab (trainable tensors in the model's order, then the BN running
statistics), run in float64 on the images normalised as coreset does, and its
pooled features compared with the stored ones; the checkpoint's fc applied to
the stored features must give torch's logits.
The float16 file must hold exactly the float32 values rounded to float16.
Prints PASS:/FAIL: lines; exits 1 on any failure.
"""
import os
import struct
import sys

import h5py
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_ref import CnnSmall  # noqa: E402

failed = []


def check(name, ok, detail=""):
    print(("PASS: " if ok else "FAIL: ") + "ref_embed.py:" + name)
    if not ok:
        failed.append(name)
        if detail:
            print("  " + detail, file=sys.stderr)


def checkpoint_state(path):
    """The model slab of checkpoint.bin (train/checkpoint.h): 128-byte header, then state."""
    b = open(path, "rb").read()
    assert b[:8] == b"CSCKPT\r\n", "not a checkpoint"
    hsize = struct.unpack_from("<I", b, 12)[0]
    num_state = struct.unpack_from("<Q", b, 72)[0]
    return np.frombuffer(b, dtype="<f4", count=num_state, offset=hsize)


def load_slab(model, slab):
    """Trainable tensors in registration order, then the running statistics."""
    off = 0
    with torch.no_grad():
        for _, p in model.named_parameters():
            n = p.numel()
            p.copy_(torch.from_numpy(slab[off:off + n].astype(np.float64)).view_as(p))
            off += n
        for name, buf in model.named_buffers():
            if name.endswith("num_batches_tracked"):
                continue
            n = buf.numel()
            buf.copy_(torch.from_numpy(slab[off:off + n].astype(np.float64)).view_as(buf))
            off += n
    return off


def main():
    npz, width, run32, run16 = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    x = np.load(npz)["train_images"].astype(np.float32)
    x = x.reshape(x.shape[0], 1, x.shape[1], x.shape[2])
    # dataset normalisation as train/data.c: mean and std in double, applied in float32
    mean = x.astype(np.float64).mean()
    sd = np.sqrt(((x.astype(np.float64) - mean) ** 2).mean())
    inv = np.float32(1) / np.float32(sd)
    xn = (x - np.float32(mean)) * inv

    with h5py.File(os.path.join(run32, "embeddings.h5"), "r") as f:
        e32 = f["embeddings"][:]
        ep32 = f["epochs"][:]
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
        dt32 = f["embeddings"].attrs["dtype"]
    with h5py.File(os.path.join(run16, "embeddings.h5"), "r") as f:
        e16 = f["embeddings"][:]
        ep16 = f["epochs"][:]
    check("dtypes", e32.dtype == np.float32 and e16.dtype == np.float16 and dt32 in (b"float32", "float32"),
          "%s %s %s" % (e32.dtype, e16.dtype, dt32))
    check("eval_pass_attribute", attrs.get("pass") == "eval", str(attrs))
    check("same_epochs", list(ep32) == list(ep16), "%s %s" % (ep32, ep16))
    # float16 storage changes nothing but the rounding: numpy's float16 cast is the truth
    check("float16_is_rounded_float32", e16.shape == e32.shape and
          np.array_equal(e16.view(np.uint16), e32.astype(np.float16).view(np.uint16)),
          "max |f16 - f32| %g" % (np.abs(e16.astype(np.float64) - e32).max() if e16.shape == e32.shape else -1))

    model = CnnSmall(1, 2, width).double().eval()
    slab = checkpoint_state(os.path.join(run32, "checkpoint.bin"))
    used = load_slab(model, slab)
    check("checkpoint_slab_size", used == slab.size, "model takes %d floats, slab has %d" % (used, slab.size))
    feats = {}
    model.fc.register_forward_hook(lambda m, i, o: feats.__setitem__("h", i[0].detach()))
    with torch.no_grad():
        logits = model(torch.from_numpy(xn.astype(np.float64))).numpy()
    ref = feats["h"].numpy()
    got = e32[-1].astype(np.float64)
    err = np.abs(got - ref).max()
    scale = np.abs(ref).max()
    check("shape", got.shape == ref.shape, "%s vs %s" % (got.shape, ref.shape))
    print("  coreset vs torch: max abs %.3g, features up to %.3g" % (err, scale), file=sys.stderr)
    check("last_epoch_matches_torch", err <= 2e-5 * max(scale, 1.0),
          "max |coreset - torch| = %g (features up to %g)" % (err, scale))
    # the stored features through the checkpoint's fc give torch's logits
    fcw = model.fc.weight.detach().numpy()
    fcb = model.fc.bias.detach().numpy()
    lg = got @ fcw.T + fcb
    check("fc_of_features_gives_logits", np.abs(lg - logits).max() <= 1e-4 * max(np.abs(logits).max(), 1.0),
          "max logit difference %g" % np.abs(lg - logits).max())
    # an earlier stored epoch is a different model's features, not a copy
    if e32.shape[0] > 1:
        check("epochs_differ", not np.array_equal(e32[0], e32[-1]))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
