#!/usr/bin/env python3
"""Keras (TensorFlow backend) side of bench/compare.sh: the reference CNN of
PRODUCT.md on MNIST, 2 intra-op threads, batch 64, Adam(1e-3), one epoch.

Prints ONE JSON line on stdout (everything else goes to stderr):
  framework, train_images_per_second, epoch_seconds, infer_ms_batch1,
  infer_ms_batch1_predict, infer_images_per_second_batch256, peak_rss_mb,
  threads, and a few extras (val_accuracy, test_accuracy, ...).
See bench/README.md for what each number means. Cross-check tooling only.
"""
import json
import os
import resource
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
SKIP_BATCHES = 20
BATCH = 64
LATENCY_REPS = 200
PREDICT_REPS = int(os.environ.get("BENCH_PREDICT_REPS", "100"))
# "mixed_bfloat16" (compare.sh --bf16): Keras' mixed-precision policy; float32 otherwise
PRECISION = os.environ.get("BENCH_PRECISION", "float32")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(THREADS)
tf.config.threading.set_inter_op_parallelism_threads(1)

import keras  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist_data  # noqa: E402


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def reference_cnn():
    L = keras.layers
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            L.Conv2D(32, 3, padding="same", activation="relu", name="conv1"),
            L.BatchNormalization(name="bn1"),
            L.MaxPooling2D(2, name="pool1"),
            L.Conv2D(64, 3, padding="same", activation="relu", name="conv2"),
            L.BatchNormalization(name="bn2"),
            L.MaxPooling2D(2, name="pool2"),
            L.Conv2D(64, 3, padding="same", activation="relu", name="conv3"),
            L.BatchNormalization(name="bn3"),
            L.Flatten(name="flatten"),
            L.Dense(128, activation="relu", name="dense1"),
            L.Dropout(0.5, name="dropout"),
            L.Dense(10, activation="softmax", name="output"),
        ],
        name="MNIST_CNN",
    )


class BatchTimer(keras.callbacks.Callback):
    """Wall-clock time at the end of every training batch and at the start/end of validation."""

    def __init__(self):
        super().__init__()
        self.batch_end = []
        self.test_begin = None
        self.test_end = None

    def on_train_batch_end(self, batch, logs=None):
        self.batch_end.append(time.perf_counter())

    def on_test_begin(self, logs=None):
        self.test_begin = time.perf_counter()

    def on_test_end(self, logs=None):
        self.test_end = time.perf_counter()


def main():
    keras.utils.set_random_seed(42)
    load_start = os.getloadavg()[0]
    d = mnist_data.load()
    log(f"keras_bench: data from {d['source']}: train {len(d['x_train'])}, val {len(d['x_val'])}, test {len(d['x_test'])}")
    y_full = keras.utils.to_categorical(d["y_full"], 10)
    assert model_params_ok()

    if PRECISION == "mixed_bfloat16":
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    model = reference_cnn()
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss=keras.losses.CategoricalCrossentropy(),
        metrics=["accuracy"],
    )

    timer = BatchTimer()
    log("keras_bench: training 1 epoch (48k train + 12k validation) ...")
    t0 = time.perf_counter()
    hist = model.fit(
        d["x_full"], y_full, batch_size=BATCH, epochs=1, validation_split=0.2,
        shuffle=True, verbose=0, callbacks=[timer],
    )
    epoch_seconds = time.perf_counter() - t0
    n_batches = len(timer.batch_end)
    timed_batches = n_batches - SKIP_BATCHES
    train_timed_seconds = timer.batch_end[-1] - timer.batch_end[SKIP_BATCHES - 1]
    train_ips = timed_batches * BATCH / train_timed_seconds
    log(f"keras_bench: epoch {epoch_seconds:.1f} s, {n_batches} batches, {train_ips:.0f} img/s steady, "
        f"val_accuracy {hist.history['val_accuracy'][-1]:.4f}")

    # latency, batch of 1: model(x, training=False) is Keras' fastest normal single-image path
    x1 = d["x_test"][:1]
    for _ in range(20):
        model(x1, training=False)
    lat = []
    for _ in range(LATENCY_REPS):
        t = time.perf_counter()
        model(x1, training=False).numpy()
        lat.append((time.perf_counter() - t) * 1000)
    # for reference only: the same call traced once into a tf.function graph
    call = tf.function(lambda x: model(x, training=False), input_signature=[tf.TensorSpec((1, 28, 28, 1), tf.float32)])
    x1t = tf.constant(x1)
    for _ in range(20):
        call(x1t)
    lat_fn = []
    for _ in range(LATENCY_REPS):
        t = time.perf_counter()
        call(x1t).numpy()
        lat_fn.append((time.perf_counter() - t) * 1000)
    for _ in range(5):
        model.predict(x1, verbose=0)
    lat_pred = []
    for _ in range(PREDICT_REPS):
        t = time.perf_counter()
        model.predict(x1, verbose=0)
        lat_pred.append((time.perf_counter() - t) * 1000)

    # throughput, batch 256 over the 10k test set (one warm-up pass first)
    model.predict(d["x_test"], batch_size=256, verbose=0)
    t = time.perf_counter()
    probs = model.predict(d["x_test"], batch_size=256, verbose=0)
    infer_seconds = time.perf_counter() - t
    test_acc = float(np.mean(np.argmax(probs, axis=1) == d["y_test"]))

    result = {
        "framework": f"keras {keras.__version__} tf {tf.__version__}" + (" mixed_bfloat16" if PRECISION == "mixed_bfloat16" else ""),
        "train_images_per_second": round(train_ips, 1),
        "epoch_seconds": round(epoch_seconds, 2),
        "infer_ms_batch1": round(statistics.median(lat), 3),
        "infer_ms_batch1_predict": round(statistics.median(lat_pred), 3),
        "infer_ms_batch1_tf_function": round(statistics.median(lat_fn), 3),
        "infer_images_per_second_batch256": round(len(d["x_test"]) / infer_seconds, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "threads": THREADS,
        "train_batches": n_batches,
        "timed_batches": timed_batches,
        "validation_seconds": round(timer.test_end - timer.test_begin, 2) if timer.test_begin else None,
        "val_accuracy": round(float(hist.history["val_accuracy"][-1]), 4),
        "test_accuracy_after_1_epoch": round(test_acc, 4),
        "latency_repetitions": LATENCY_REPS,
        "loadavg_1min_start": round(load_start, 2),
        "loadavg_1min_end": round(os.getloadavg()[0], 2),
        "predict_repetitions": PREDICT_REPS,
    }
    print(json.dumps(result), flush=True)


def model_params_ok():
    m = reference_cnn()
    total = m.count_params()
    trainable = sum(int(np.prod(v.shape)) for v in m.trainable_weights)
    if (total, trainable) != (459210, 458890):
        raise SystemExit(f"keras_bench: reference CNN has {total}/{trainable} params, want 459210/458890")
    return True


if __name__ == "__main__":
    main()
