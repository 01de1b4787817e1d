#!/usr/bin/env python3
"""Write Tests/NeuralNetTests/Fixtures/keras_residual.json: a small residual network built with Keras
exactly as issue 11 specifies the ResNet v1 basic block, with fixed weights, its outputs, loss, gradients
and three Adam steps, for ResidualKerasFixtureTests to reproduce within 1e-4.

Cross-check tooling only (mnistbook never runs Python). From the repo root:

    python3 -m venv bench/.venv-keras
    bench/.venv-keras/bin/pip install tensorflow-cpu numpy
    bench/.venv-keras/bin/python scripts/make_keras_residual_fixture.py

The network (batch of 4 inputs of shape (6, 6, 2), labels [0, 3, 1, 2] one-hot):

    block(x, f, s, name):
        y = Conv2D(f, 3, strides=s, padding="same", use_bias=False, name=name+"_conv_a")(x)
        y = BatchNormalization(name=name+"_bn_a")(y); y = ReLU(name=name+"_relu_a")(y)
        y = Conv2D(f, 3, padding="same", use_bias=False, name=name+"_conv_b")(y)
        y = BatchNormalization(name=name+"_bn_b")(y)
        shortcut = x, or BatchNormalization(name=name+"_shortcut_bn")(
                   Conv2D(f, 1, strides=s, use_bias=False, name=name+"_shortcut_conv")(x)) when s != 1 or C != f
        return ReLU(name=name+"_relu")(Add(name=name+"_add")([y, shortcut]))
    b1 = block(input, 3, 2)     # projection shortcut
    b2 = block(b1, 3, 1)        # identity shortcut
    GlobalAveragePooling2D(name="gap") -> Dense(4, softmax, name="out")

Weights are keyed by mnistbook's parameter names (`b1/conv_a/kernel`, `b1/bn_a/gamma`, …, `out/kernel`), in
mnistbook's order; Keras' layer `b1_conv_a` variable `kernel` is mnistbook's `b1/conv_a/kernel`.
Loss, BatchNormalization and Adam are as documented in scripts/make_keras_fixture.py.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE = os.path.join(ROOT, "Tests", "NeuralNetTests", "Fixtures", "keras_residual.json")
LABELS = [0, 3, 1, 2]
CLASSES = 4
LR, STEPS = 0.01, 3
BLOCKS = [("b1", 3, 2), ("b2", 3, 1)]


def block_layers(name, cin, f, s):
    """(inner name, Keras layer, variable names) in mnistbook's parameter order."""
    L = keras.layers
    bn = ["gamma", "beta", "moving_mean", "moving_variance"]
    out = [("conv_a", L.Conv2D(f, 3, strides=s, padding="same", use_bias=False, name=f"{name}_conv_a"), ["kernel"]),
           ("bn_a", L.BatchNormalization(name=f"{name}_bn_a"), bn),
           ("conv_b", L.Conv2D(f, 3, padding="same", use_bias=False, name=f"{name}_conv_b"), ["kernel"]),
           ("bn_b", L.BatchNormalization(name=f"{name}_bn_b"), bn)]
    if s != 1 or cin != f:
        out += [("shortcut_conv", L.Conv2D(f, 1, strides=s, use_bias=False, name=f"{name}_shortcut_conv"), ["kernel"]),
                ("shortcut_bn", L.BatchNormalization(name=f"{name}_shortcut_bn"), bn)]
    return out


def build():
    inputs = keras.Input(shape=(6, 6, 2))
    x, cin = inputs, 2
    params = []   # (mnistbook name, keras variable)
    for name, f, s in BLOCKS:
        spec = block_layers(name, cin, f, s)
        layers = {inner: layer for inner, layer, _ in spec}
        y = layers["bn_a"](layers["conv_a"](x))
        y = keras.layers.ReLU(name=f"{name}_relu_a")(y)
        y = layers["bn_b"](layers["conv_b"](y))
        shortcut = layers["shortcut_bn"](layers["shortcut_conv"](x)) if "shortcut_conv" in layers else x
        x = keras.layers.ReLU(name=f"{name}_relu")(keras.layers.Add(name=f"{name}_add")([y, shortcut]))
        for inner, layer, variables in spec:
            for v in variables:
                params.append((f"{name}/{inner}/{v}", getattr(layer, v)))
        cin = f
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    dense = keras.layers.Dense(CLASSES, activation="softmax", name="out")
    outputs = dense(x)
    params += [("out/kernel", dense.kernel), ("out/bias", dense.bias)]
    return keras.Model(inputs, outputs, name="keras_residual"), params


def tensor(a):
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}


def main():
    print(f"tensorflow {tf.__version__}, keras {keras.__version__}")
    rng = np.random.default_rng(11)
    model, params = build()
    initial = {}
    for name, var in params:
        shape = tuple(var.shape)
        if name.endswith("gamma") or name.endswith("moving_variance"):
            value = rng.uniform(0.5, 1.5, shape)
        elif name.endswith("beta") or name.endswith("moving_mean") or name.endswith("bias"):
            value = rng.normal(0.0, 0.1, shape)
        else:
            value = rng.normal(0.0, 0.4, shape)
        var.assign(value.astype(np.float32))
        initial[name] = value.astype(np.float32)
    print(f"count_params() = {model.count_params()}")
    x0 = rng.normal(0.0, 1.0, (4, 6, 6, 2)).astype(np.float32)
    y = np.eye(CLASSES, dtype=np.float32)[LABELS]
    x = tf.constant(x0)
    loss_fn = keras.losses.CategoricalCrossentropy()
    trainable = [(n, v) for n, v in params if v.trainable]

    infer = model(x, training=False).numpy()
    with tf.GradientTape() as tape:
        tape.watch(x)
        train = model(x, training=True)
        loss = loss_fn(y, train)
    grads = tape.gradient(loss, [v for _, v in trainable] + [x])
    gradients = {n: tensor(g) for (n, _), g in zip(trainable + [("input", None)], grads)}

    # Adam on a fresh copy with the same initial weights.
    model2, params2 = build()
    for name, var in params2:
        var.assign(initial[name])
    opt = keras.optimizers.Adam(learning_rate=LR)
    train_vars = [v for _, v in params2 if v.trainable]
    losses = []
    for _ in range(STEPS):
        with tf.GradientTape() as tape:
            step_loss = loss_fn(y, model2(x, training=True))
        opt.apply_gradients(zip(tape.gradient(step_loss, train_vars), train_vars))
        losses.append(float(step_loss))

    fixture = {
        "tensorflow_version": tf.__version__,
        "count_params": int(model.count_params()),
        "input": tensor(x0),
        "labels": LABELS,
        "names": [n for n, _ in params],
        "weights": {n: tensor(initial[n]) for n, _ in params},
        "train_output": tensor(train.numpy()),
        "inference_output": tensor(infer),
        "loss": float(np.float32(loss.numpy())),
        "gradients": gradients,
        "adam": {"learning_rate": LR, "steps": STEPS, "losses": losses,
                 "weights_after": {n: tensor(v.numpy()) for n, v in params2}},
    }
    with open(FIXTURE, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    size = os.path.getsize(FIXTURE)
    print(f"wrote {os.path.relpath(FIXTURE, ROOT)} ({size} bytes); loss {float(loss):.7f}; adam losses {losses}")
    if size >= 300_000:
        sys.exit("make_keras_residual_fixture: fixture too large")


if __name__ == "__main__":
    main()
