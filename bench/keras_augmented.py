#!/usr/bin/env python3
"""Keras side of the beyond-99 comparison: a CNN trained with
ImageDataGenerator(rotation_range=10, zoom_range=0.1, width_shift_range=0.1,
height_shift_range=0.1, fill_mode="constant", cval=0) on validation_split 0.1, batch 64, Adam 1e-3.

BENCH_MODEL=vgg (default): notebooks/beyond-99.md's ensemble member, the VGG-style CNN of its
section 5, 15 epochs, ReduceLROnPlateau(val_loss, 0.5, patience 2, min_lr 1e-5), no early stopping.
BENCH_MODEL=reference: the reference CNN as the notebook's members were trained until 2026-11-30
(EarlyStopping(val_loss, patience 5, restore best), ReduceLROnPlateau(val_loss, 0.5, patience 2)), 18 epochs.

    bench/.venv-keras/bin/pip install tensorflow-cpu numpy scipy
    bench/.venv-keras/bin/python bench/keras_augmented.py
    BENCH_EPOCHS=2 …      # time two epochs only
    BENCH_SEED=1042 …     # another seed (default 42, the notebook's)

Prints one JSON line: epochs run, seconds per epoch (each, and the mean), test accuracy.
Cross-check tooling only; mnistbook never runs Python.
"""
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
MODEL = os.environ.get("BENCH_MODEL", "vgg")
if MODEL not in ("vgg", "reference"):
    sys.exit(f"BENCH_MODEL={MODEL}: use vgg or reference")
EPOCHS = int(os.environ.get("BENCH_EPOCHS", "15" if MODEL == "vgg" else "18"))
SEED = int(os.environ.get("BENCH_SEED", "42"))  # the notebook's seed; others measure Keras' own seed spread

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(THREADS)
tf.config.threading.set_inter_op_parallelism_threads(1)
import keras  # noqa: E402
try:  # Keras 3 keeps the generator as legacy code; 3.15 no longer exports it from keras.preprocessing.image
    from keras.preprocessing.image import ImageDataGenerator  # noqa: E402
except ImportError:
    from keras.src.legacy.preprocessing.image import ImageDataGenerator  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist_data  # noqa: E402
from keras_bench import reference_cnn  # noqa: E402


def vgg_cnn():
    """notebooks/beyond-99.md's vgg_cnn (after Deotte's Kaggle study): Keras' own layers, the notebook's order."""
    layers = keras.layers
    def conv(filters, kernel, strides=1, padding="valid"):
        return [layers.Conv2D(filters, kernel, strides=strides, padding=padding, activation="relu"), layers.BatchNormalization()]
    return keras.Sequential([keras.Input((28, 28, 1))]
                            + conv(32, 3) + conv(32, 3) + conv(32, 5, 2, "same") + [layers.Dropout(0.4)]
                            + conv(64, 3) + conv(64, 3) + conv(64, 5, 2, "same") + [layers.Dropout(0.4)]
                            + [layers.Flatten(), layers.Dense(128, activation="relu"), layers.BatchNormalization(),
                               layers.Dropout(0.4), layers.Dense(10, activation="softmax")])


class EpochTimer(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)
        print(f"epoch {epoch + 1}: {self.seconds[-1]:.1f} s, val_accuracy {logs.get('val_accuracy'):.4f}", file=sys.stderr, flush=True)


def main():
    keras.utils.set_random_seed(SEED)
    d = mnist_data.load(validation_split=0.1)
    x_train, y_train, x_val, y_val, x_test, y_test = (d[k] for k in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test"))
    y_train, y_val, y_test = (keras.utils.to_categorical(y, 10) for y in (y_train, y_val, y_test))
    generator = ImageDataGenerator(rotation_range=10, zoom_range=0.1, width_shift_range=0.1, height_shift_range=0.1,
                                   fill_mode="constant", cval=0.0)
    model = vgg_cnn() if MODEL == "vgg" else reference_cnn()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy", metrics=["accuracy"])
    timer = EpochTimer()
    if MODEL == "vgg":
        callbacks = [timer, keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_lr=1e-5)]
    else:
        callbacks = [timer,
                     keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True),
                     keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_lr=1e-6)]
    model.fit(generator.flow(x_train, y_train, batch_size=64, seed=SEED), epochs=EPOCHS,
              validation_data=(x_val, y_val), callbacks=callbacks, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
    print(json.dumps({"framework": f"keras {keras.__version__} / tensorflow {tf.__version__}", "model": MODEL, "threads": THREADS, "seed": SEED,
                      "epochs_run": len(timer.seconds), "epoch_seconds": timer.seconds,
                      "mean_epoch_seconds": float(np.mean(timer.seconds)), "test_accuracy": float(accuracy)}))


if __name__ == "__main__":
    main()
