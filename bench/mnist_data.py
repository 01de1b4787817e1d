"""MNIST loading shared by the Python benchmark scripts (cross-checks only).

Reads the four IDX gz files with numpy + gzip from data/mnist/ in the repo if
they are there, else from /work/shared/datasets/mnist (or $MNIST_DIR if set).
Returns float32 NHWC arrays scaled by x/255 and uint8 labels, and splits off
the LAST 20% of the training set as validation, as Keras validation_split does
(no shuffling before the split): 48,000 train / 12,000 validation.
"""
import gzip
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}


def mnist_dir():
    candidates = []
    if os.environ.get("MNIST_DIR"):
        candidates.append(os.environ["MNIST_DIR"])
    candidates += [os.path.join(ROOT, "data", "mnist"), "/work/shared/datasets/mnist"]
    for d in candidates:
        if all(os.path.isfile(os.path.join(d, f)) for f in FILES.values()):
            return d
    raise SystemExit("mnist_data: no MNIST IDX .gz files in " + ", ".join(candidates))


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    zero, dtype_code, ndim = raw[0] * 256 + raw[1], raw[2], raw[3]
    if zero != 0 or dtype_code != 0x08:
        raise SystemExit(f"mnist_data: {path}: not an unsigned-byte IDX file")
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise SystemExit(f"mnist_data: {path}: size {data.size} does not match header {dims}")
    return data.reshape(dims)


def load(validation_split=0.2):
    """Return dict with x_train, y_train, x_val, y_val, x_test, y_test, source."""
    d = mnist_dir()
    arr = {k: read_idx(os.path.join(d, f)) for k, f in FILES.items()}

    def images(a):
        return (a.astype(np.float32) / 255.0)[..., np.newaxis]  # (N, 28, 28, 1) NHWC

    x_all, y_all = images(arr["train_images"]), arr["train_labels"].astype(np.int64)
    split = int(len(x_all) * (1.0 - validation_split))  # Keras: first (1-split) for training
    return {
        "x_train": x_all[:split], "y_train": y_all[:split],
        "x_val": x_all[split:], "y_val": y_all[split:],
        "x_full": x_all, "y_full": y_all,
        "x_test": images(arr["test_images"]), "y_test": arr["test_labels"].astype(np.int64),
        "source": d,
    }
