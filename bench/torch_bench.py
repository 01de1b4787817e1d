#!/usr/bin/env python3
"""PyTorch side of bench/compare.sh: the reference CNN of PRODUCT.md, written
out in PyTorch, on MNIST, 2 threads, channels_last, batch 64, Adam(1e-3,
eps=1e-7), one epoch.

Prints ONE JSON line on stdout (everything else goes to stderr):
  framework, train_images_per_second, epoch_seconds, infer_ms_batch1,
  infer_images_per_second_batch256, peak_rss_mb, threads, and a few extras.
See bench/README.md for what each number means. Cross-check tooling only.
"""
import json
import os
import resource
import statistics
import sys
import time

THREADS = int(os.environ.get("BENCH_THREADS", "2"))
SKIP_BATCHES = 20
BATCH = 64
EVAL_BATCH = 64        # Keras' fit validates with validation_batch_size = batch_size
LATENCY_REPS = 200
# "mixed_bfloat16" (compare.sh --bf16): training under torch.autocast(bfloat16); float32 otherwise
BF16 = os.environ.get("BENCH_PRECISION", "float32") == "mixed_bfloat16"

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(THREADS)
torch.set_num_interop_threads(1)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist_data  # noqa: E402

CL = torch.channels_last


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def reference_cnn():
    """Keras' MNIST_CNN: BatchNorm momentum 0.99 in Keras == 0.01 in PyTorch, eps 1e-3.
    The model ends in logits (softmax is folded into F.cross_entropy)."""
    def bn(c):
        return nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)

    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), bn(32), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), bn(64), nn.MaxPool2d(2),
        nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), bn(64),
        nn.Flatten(),
        nn.Linear(64 * 7 * 7, 128), nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(128, 10),
    )
    # Keras' defaults: glorot_uniform kernels, zero biases
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return model


def to_nchw_channels_last(x_nhwc):
    # NHWC numpy -> logical NCHW tensor whose memory is NHWC (channels_last)
    return torch.from_numpy(x_nhwc).permute(0, 3, 1, 2).contiguous(memory_format=CL)


def evaluate(model, x, y, batch):
    model.eval()
    correct, loss_sum = 0, 0.0
    with torch.inference_mode():
        for i in range(0, len(x), batch):
            logits = model(x[i:i + batch])
            loss_sum += F.cross_entropy(logits, y[i:i + batch], reduction="sum").item()
            correct += (logits.argmax(1) == y[i:i + batch]).sum().item()
    return loss_sum / len(x), correct / len(x)


def main():
    torch.manual_seed(42)
    load_start = os.getloadavg()[0]
    d = mnist_data.load()
    log(f"torch_bench: data from {d['source']}: train {len(d['x_train'])}, val {len(d['x_val'])}, test {len(d['x_test'])}")
    x_train, y_train = to_nchw_channels_last(d["x_train"]), torch.from_numpy(d["y_train"])
    x_val, y_val = to_nchw_channels_last(d["x_val"]), torch.from_numpy(d["y_val"])
    x_test, y_test = to_nchw_channels_last(d["x_test"]), torch.from_numpy(d["y_test"])

    model = reference_cnn().to(memory_format=CL)
    n_params = sum(p.numel() for p in model.parameters())
    n_buffers = sum(b.numel() for n, b in model.named_buffers() if "running" in n)
    if (n_params + n_buffers, n_params) != (459210, 458890):
        raise SystemExit(f"torch_bench: model has {n_params + n_buffers}/{n_params} params, want 459210/458890")
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)

    log("torch_bench: training 1 epoch (48k train + 12k validation) ...")
    n = len(x_train)
    n_batches = (n + BATCH - 1) // BATCH
    g = torch.Generator().manual_seed(42)
    batch_end = []
    t0 = time.perf_counter()
    model.train()
    perm = torch.randperm(n, generator=g)
    for b in range(n_batches):
        idx = perm[b * BATCH:(b + 1) * BATCH]
        xb = x_train[idx].contiguous(memory_format=CL)
        yb = y_train[idx]
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=BF16):
            loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        batch_end.append(time.perf_counter())
    val_begin = time.perf_counter()
    val_loss, val_acc = evaluate(model, x_val, y_val, EVAL_BATCH)
    val_end = time.perf_counter()
    epoch_seconds = val_end - t0
    timed_batches = n_batches - SKIP_BATCHES
    train_ips = timed_batches * BATCH / (batch_end[-1] - batch_end[SKIP_BATCHES - 1])
    log(f"torch_bench: epoch {epoch_seconds:.1f} s, {n_batches} batches, {train_ips:.0f} img/s steady, "
        f"val_accuracy {val_acc:.4f}, last train loss {loss.item():.4f}")

    # latency, batch of 1, eval mode under inference_mode
    model.eval()
    x1 = x_test[:1].contiguous(memory_format=CL)
    lat = []
    with torch.inference_mode():
        for _ in range(20):
            model(x1)
        for _ in range(LATENCY_REPS):
            t = time.perf_counter()
            model(x1).argmax(1).item()
            lat.append((time.perf_counter() - t) * 1000)

        # throughput, batch 256 over the 10k test set (one warm-up pass first)
        def infer_all():
            return torch.cat([model(x_test[i:i + 256]) for i in range(0, len(x_test), 256)])
        infer_all()
        t = time.perf_counter()
        logits = infer_all()
        infer_seconds = time.perf_counter() - t
        test_acc = (logits.argmax(1) == y_test).float().mean().item()

    result = {
        "framework": f"pytorch {torch.__version__}" + (" autocast(bfloat16)" if BF16 else ""),
        "train_images_per_second": round(train_ips, 1),
        "epoch_seconds": round(epoch_seconds, 2),
        "infer_ms_batch1": round(statistics.median(lat), 3),
        "infer_images_per_second_batch256": round(len(x_test) / infer_seconds, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "threads": THREADS,
        "train_batches": n_batches,
        "timed_batches": timed_batches,
        "validation_seconds": round(val_end - val_begin, 2),
        "val_accuracy": round(val_acc, 4),
        "test_accuracy_after_1_epoch": round(test_acc, 4),
        "latency_repetitions": LATENCY_REPS,
        "loadavg_1min_start": round(load_start, 2),
        "loadavg_1min_end": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
