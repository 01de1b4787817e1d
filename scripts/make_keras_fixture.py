#!/usr/bin/env python3
"""Write Tests/NeuralNetTests/Fixtures/keras_small.json: a tiny Keras model with
fixed weights, its outputs, loss, gradients and three Adam steps, for the Swift
tests to reproduce (tolerance 1e-4).

Cross-check tooling only: mnistbook never runs Python. Run once, from the repo root:

    python3 -m venv bench/.venv-keras
    bench/.venv-keras/bin/pip install tensorflow-cpu numpy
    bench/.venv-keras/bin/python scripts/make_keras_fixture.py

It also writes scripts/keras_reference_summary.txt (model.summary() of the
reference CNN of PRODUCT.md) and checks its totals (459,210 / 458,890).

The model (channels-last, NHWC; batch of 4 inputs of shape (6, 6, 2)):

    Conv2D(3, 3, padding="same", activation="relu", name="conv")   kernel (3,3,2,3) HWIO, bias (3)
    BatchNormalization(momentum=0.99, epsilon=0.001, name="bn")    gamma, beta, moving_mean, moving_variance (3)
    MaxPooling2D(2, name="pool")                                   (6,6,3) -> (3,3,3)
    Flatten(name="flatten")                                        27 values in (h, w, c) order, c fastest
    Dense(4, activation="softmax", name="dense")                   kernel (27,4), bias (4)

All arrays in the JSON are flat row-major (C order) float32 values written as
repr(float(x)), so they round-trip to the exact float32 value. Every shape is
given next to its data. Labels [0, 3, 1, 2] are one-hot encoded.

What Keras 3 does exactly (read in keras/src of the installed version, and
checked numerically by this script against a float64 numpy re-implementation;
the script fails if a check does not hold):

Loss: keras.losses.CategoricalCrossentropy() with reduction
    "sum_over_batch_size", i.e. mean over the 4 samples of -sum(y * log p).
    Because the Dense layer's softmax output carries its logits (the
    `_keras_logits` attribute of keras.activations.softmax), the TF backend
    computes it as tf.nn.softmax_cross_entropy_with_logits on the logits: no
    clipping of p to [1e-7, 1 - 1e-7] happens. dL/dlogits = (p - y) / batch.

BatchNormalization, training=True (model(x, training=True) or fit/train_on_batch):
    mean, var = tf.nn.moments(x, axes=[0, 1, 2])       per channel, over N*H*W
    var is the BIASED (population) variance: sum((x - mean)^2) / (N*H*W).
    y = gamma * (x - mean) / sqrt(var + epsilon) + beta
    moving_mean     = moving_mean     * momentum + mean * (1 - momentum)
    moving_variance = moving_variance * momentum + var  * (1 - momentum)
    The SAME biased var is used for the moving variance (no N/(N-1) Bessel
    correction; PyTorch uses the unbiased one for running_var, Keras does not).
    The moving stats update in every forward call with training=True, also in
    a plain GradientTape loop (that is what this script does).
    Gradients flow through the batch mean and variance (full BN backward).
BatchNormalization, training=False:
    y = gamma * (x - moving_mean) / sqrt(moving_variance + epsilon) + beta
    epsilon = 0.001 is added to the variance inside the sqrt.

Adam (keras.optimizers.Adam(learning_rate=0.01), beta_1=0.9, beta_2=0.999,
epsilon=1e-7, amsgrad=False, no weight decay, no clipping), for each trainable
variable, step t = 1, 2, 3 (t = optimizer.iterations + 1), m and v start at 0:
    m = m + (g - m) * (1 - beta_1)          # == beta_1*m + (1-beta_1)*g
    v = v + (g*g - v) * (1 - beta_2)        # == beta_2*v + (1-beta_2)*g^2
    alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
    w = w - alpha * m / (sqrt(v) + epsilon)
    Note: epsilon is added to sqrt(v), NOT to sqrt(v_hat); it is the
    "epsilon hat" form of the Adam paper (sec. 2), equal to
    w -= lr * m_hat / (sqrt(v_hat) + epsilon * sqrt(1 - beta_2^t)).
    It matters only when |g| is tiny; PyTorch's Adam uses sqrt(v_hat) + eps.
    bn/moving_mean and bn/moving_variance are non-trainable: Adam does not
    touch them; they change only by the momentum update above (once per step,
    in the forward pass of the step, i.e. with the batch stats of the weights
    BEFORE that step's update).
"adam.losses" are the training-mode losses computed in each step's forward
pass, i.e. before step 1, before step 2 and before step 3.
"""
import io
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE = os.path.join(ROOT, "Tests", "NeuralNetTests", "Fixtures", "keras_small.json")
SUMMARY = os.path.join(ROOT, "scripts", "keras_reference_summary.txt")

LABELS = [0, 3, 1, 2]
NUM_CLASSES = 4
BN_MOMENTUM = 0.99
BN_EPSILON = 0.001
LR, BETA_1, BETA_2, ADAM_EPS, STEPS = 0.01, 0.9, 0.999, 1e-7, 3


def tensor(a):
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}


def make_values():
    rng = np.random.default_rng(0)
    f32 = np.float32
    w = {
        "conv/kernel": rng.normal(0.0, 0.3, (3, 3, 2, 3)).astype(f32),
        "conv/bias": rng.uniform(-0.1, 0.1, (3,)).astype(f32),
        "bn/gamma": rng.uniform(0.5, 1.5, (3,)).astype(f32),
        "bn/beta": rng.normal(0.0, 0.1, (3,)).astype(f32),
        "bn/moving_mean": rng.normal(0.0, 0.1, (3,)).astype(f32),
        "bn/moving_variance": rng.uniform(0.5, 1.5, (3,)).astype(f32),
        "dense/kernel": rng.normal(0.0, 0.3, (27, 4)).astype(f32),
        "dense/bias": rng.uniform(-0.1, 0.1, (4,)).astype(f32),
    }
    x = rng.normal(0.0, 1.0, (4, 6, 6, 2)).astype(f32)
    return w, x


def build_model(w):
    model = keras.Sequential(
        [
            keras.Input(shape=(6, 6, 2)),
            keras.layers.Conv2D(3, 3, padding="same", activation="relu", name="conv"),
            keras.layers.BatchNormalization(momentum=BN_MOMENTUM, epsilon=BN_EPSILON, name="bn"),
            keras.layers.MaxPooling2D(2, name="pool"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(NUM_CLASSES, activation="softmax", name="dense"),
        ],
        name="keras_small",
    )
    conv, bn, dense = model.get_layer("conv"), model.get_layer("bn"), model.get_layer("dense")
    conv.kernel.assign(w["conv/kernel"])
    conv.bias.assign(w["conv/bias"])
    bn.gamma.assign(w["bn/gamma"])
    bn.beta.assign(w["bn/beta"])
    bn.moving_mean.assign(w["bn/moving_mean"])
    bn.moving_variance.assign(w["bn/moving_variance"])
    dense.kernel.assign(w["dense/kernel"])
    dense.bias.assign(w["dense/bias"])
    return model


def named_variables(model):
    conv, bn, dense = model.get_layer("conv"), model.get_layer("bn"), model.get_layer("dense")
    return {
        "conv/kernel": conv.kernel,
        "conv/bias": conv.bias,
        "bn/gamma": bn.gamma,
        "bn/beta": bn.beta,
        "bn/moving_mean": bn.moving_mean,
        "bn/moving_variance": bn.moving_variance,
        "dense/kernel": dense.kernel,
        "dense/bias": dense.bias,
    }


TRAINABLE = ["conv/kernel", "conv/bias", "bn/gamma", "bn/beta", "dense/kernel", "dense/bias"]


# ---------------------------------------------------------------- numpy reference (float64)
def np_forward(w, x, training):
    """Float64 re-implementation of the model; returns probs, loss, batch mean, batch var."""
    x = x.astype(np.float64)
    k = w["conv/kernel"].astype(np.float64)
    n, h, wd, _ = x.shape
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    conv = np.zeros((n, h, wd, k.shape[3]))
    for i in range(3):
        for j in range(3):
            conv += np.einsum("nhwc,co->nhwo", xp[:, i:i + h, j:j + wd, :], k[i, j])
    conv = np.maximum(conv + w["conv/bias"], 0.0)
    mean = conv.mean(axis=(0, 1, 2))
    var = conv.var(axis=(0, 1, 2))  # biased
    if training:
        m, v = mean, var
    else:
        m, v = w["bn/moving_mean"].astype(np.float64), w["bn/moving_variance"].astype(np.float64)
    bn = w["bn/gamma"] * (conv - m) / np.sqrt(v + BN_EPSILON) + w["bn/beta"]
    pool = bn.reshape(n, h // 2, 2, wd // 2, 2, -1).max(axis=(2, 4))
    logits = pool.reshape(n, -1) @ w["dense/kernel"].astype(np.float64) + w["dense/bias"]
    z = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(n), LABELS]))
    return probs, loss, mean, var


def check_close(name, got, want, tol=2e-5):
    err = float(np.max(np.abs(np.asarray(got, np.float64) - np.asarray(want, np.float64))))
    status = "ok" if err <= tol else "FAILED"
    print(f"  check {name:<40s} max|diff| = {err:.2e}  {status}")
    if err > tol:
        sys.exit(f"make_keras_fixture: check failed: {name}")


# ---------------------------------------------------------------- reference CNN summary
def reference_summary():
    L = keras.layers
    model = keras.Sequential(
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
    lines = []
    # rich renders into a console as wide as $COLUMNS (80 when not a terminal),
    # which would cut off the "Param #" column: make it wide enough.
    old_columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "120"
    try:
        model.summary(line_length=88, print_fn=lambda s, **kw: lines.append(s))
    finally:
        if old_columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old_columns
    text = "\n".join(lines)
    total = model.count_params()
    trainable = sum(int(np.prod(v.shape)) for v in model.trainable_weights)
    header = (
        f"# keras {keras.__version__}, tensorflow {tf.__version__}: model.summary() of the reference CNN\n"
        f"# (PRODUCT.md section 2), written by scripts/make_keras_fixture.py\n"
        f"# count_params() = {total}, trainable = {trainable}, non-trainable = {total - trainable}\n\n"
    )
    with open(SUMMARY, "w") as f:
        f.write(header + text.rstrip() + "\n")
    print(text)
    if (total, trainable) != (459210, 458890):
        sys.exit(f"make_keras_fixture: reference CNN has {total}/{trainable} params, want 459210/458890")
    print(f"reference CNN: Total params {total:,} / Trainable {trainable:,}: ok  -> {os.path.relpath(SUMMARY, ROOT)}")


def main():
    print(f"tensorflow {tf.__version__}, keras {keras.__version__}, numpy {np.__version__}")
    reference_summary()

    w0, x0 = make_values()
    y = np.eye(NUM_CLASSES, dtype=np.float32)[LABELS]
    x = tf.constant(x0)
    y_t = tf.constant(y)
    loss_fn = keras.losses.CategoricalCrossentropy()

    # --- forward passes, loss and gradients
    model = build_model(w0)
    infer_out = model(x, training=False).numpy()
    with tf.GradientTape() as tape:
        tape.watch(x)
        train_out = model(x, training=True)
        loss = loss_fn(y_t, train_out)
    nv = named_variables(model)
    grads = tape.gradient(loss, [nv[k] for k in TRAINABLE] + [x])
    grad_dict = {k: tensor(g) for k, g in zip(TRAINABLE + ["input"], grads)}
    bn_after_one_call = {k: nv[k].numpy() for k in ("bn/moving_mean", "bn/moving_variance")}

    print("numerical checks against a float64 numpy re-implementation:")
    p_train, l_train, bmean, bvar = np_forward(w0, x0, True)
    p_infer, _, _, _ = np_forward(w0, x0, False)
    check_close("train_output", train_out.numpy(), p_train)
    check_close("inference_output", infer_out, p_infer)
    check_close("loss", float(loss), l_train)
    check_close("moving_mean update (momentum)", bn_after_one_call["bn/moving_mean"],
                w0["bn/moving_mean"] * BN_MOMENTUM + bmean * (1 - BN_MOMENTUM))
    check_close("moving_variance update (BIASED var)", bn_after_one_call["bn/moving_variance"],
                w0["bn/moving_variance"] * BN_MOMENTUM + bvar * (1 - BN_MOMENTUM), tol=1e-6)
    n = x0.shape[0] * x0.shape[1] * x0.shape[2]
    unbiased_alt = w0["bn/moving_variance"] * BN_MOMENTUM + bvar * n / (n - 1) * (1 - BN_MOMENTUM)
    diff_unbiased = float(np.max(np.abs(bn_after_one_call["bn/moving_variance"] - unbiased_alt)))
    print(f"  (an UNBIASED variance would differ by {diff_unbiased:.2e}: Keras uses the biased one)")

    # gradient check by central finite differences in float64 on a few entries
    eps = 1e-4
    rng = np.random.default_rng(1)
    for name in TRAINABLE:
        g = np.asarray(grad_dict[name]["data"]).reshape(grad_dict[name]["shape"])
        for _ in range(3):
            idx = tuple(int(rng.integers(0, s)) for s in g.shape)
            wp = {k: v.astype(np.float64) for k, v in w0.items()}
            wm = {k: v.astype(np.float64) for k, v in w0.items()}
            wp[name][idx] += eps
            wm[name][idx] -= eps
            fd = (np_forward(wp, x0, True)[1] - np_forward(wm, x0, True)[1]) / (2 * eps)
            check_close(f"grad {name}{list(idx)} vs finite diff", g[idx], fd, tol=1e-4)

    # --- Adam: fresh model, same initial weights, 3 GradientTape steps with training=True
    model2 = build_model(w0)
    opt = keras.optimizers.Adam(learning_rate=LR)
    assert (opt.beta_1, opt.beta_2, opt.epsilon) == (BETA_1, BETA_2, ADAM_EPS), (opt.beta_1, opt.beta_2, opt.epsilon)
    nv2 = named_variables(model2)
    train_vars = [nv2[k] for k in TRAINABLE]
    adam_losses = []
    # numpy replay of the documented Adam formula, fed with Keras' own gradients
    ref_w = {k: w0[k].astype(np.float64) for k in TRAINABLE}
    ref_m = {k: np.zeros_like(ref_w[k]) for k in TRAINABLE}
    ref_v = {k: np.zeros_like(ref_w[k]) for k in TRAINABLE}
    ref_mm = w0["bn/moving_mean"].astype(np.float64)
    ref_mv = w0["bn/moving_variance"].astype(np.float64)
    for t in range(1, STEPS + 1):
        cur = {k: nv2[k].numpy() for k in nv2}
        _, _, bmean, bvar = np_forward(cur, x0, True)
        with tf.GradientTape() as tape:
            out = model2(x, training=True)
            step_loss = loss_fn(y_t, out)
        g = tape.gradient(step_loss, train_vars)
        opt.apply_gradients(zip(g, train_vars))
        adam_losses.append(float(step_loss))
        alpha = LR * np.sqrt(1 - BETA_2 ** t) / (1 - BETA_1 ** t)
        for k, gk in zip(TRAINABLE, g):
            gk = gk.numpy().astype(np.float64)
            ref_m[k] = BETA_1 * ref_m[k] + (1 - BETA_1) * gk
            ref_v[k] = BETA_2 * ref_v[k] + (1 - BETA_2) * gk * gk
            ref_w[k] = ref_w[k] - alpha * ref_m[k] / (np.sqrt(ref_v[k]) + ADAM_EPS)
        ref_mm = ref_mm * BN_MOMENTUM + bmean * (1 - BN_MOMENTUM)
        ref_mv = ref_mv * BN_MOMENTUM + bvar * (1 - BN_MOMENTUM)
    weights_after = {k: nv2[k].numpy() for k in nv2}
    for k in TRAINABLE:
        check_close(f"adam {k} vs documented formula", weights_after[k], ref_w[k], tol=1e-6)
    check_close("adam bn/moving_mean vs momentum formula", weights_after["bn/moving_mean"], ref_mm, tol=1e-6)
    check_close("adam bn/moving_variance vs momentum formula", weights_after["bn/moving_variance"], ref_mv, tol=1e-6)

    # the same three steps with compile + train_on_batch must agree
    model3 = build_model(w0)
    model3.compile(optimizer=keras.optimizers.Adam(learning_rate=LR), loss=keras.losses.CategoricalCrossentropy())
    tob_losses = [float(model3.train_on_batch(x0, y)) for _ in range(STEPS)]
    check_close("train_on_batch losses == tape loop losses", tob_losses, adam_losses, tol=1e-5)
    nv3 = named_variables(model3)
    for k in nv3:
        check_close(f"train_on_batch {k} == tape loop", nv3[k].numpy(), weights_after[k], tol=1e-5)

    fixture = {
        "tensorflow_version": tf.__version__,
        "input": tensor(x0),
        "labels": LABELS,
        "weights": {k: tensor(v) for k, v in w0.items()},
        "train_output": tensor(train_out.numpy()),
        "inference_output": tensor(infer_out),
        "loss": float(np.float32(loss.numpy())),
        "gradients": grad_dict,
        "adam": {
            "learning_rate": LR,
            "beta_1": BETA_1,
            "beta_2": BETA_2,
            "epsilon": ADAM_EPS,
            "steps": STEPS,
            "losses": adam_losses,
            "weights_after": {k: tensor(v) for k, v in weights_after.items()},
        },
    }
    buf = io.StringIO()
    json.dump(fixture, buf, indent=1)
    os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
    with open(FIXTURE, "w") as f:
        f.write(buf.getvalue() + "\n")
    size = os.path.getsize(FIXTURE)
    print(f"wrote {os.path.relpath(FIXTURE, ROOT)} ({size} bytes); loss {float(loss):.7f}; adam losses {adam_losses}")
    if size >= 200_000:
        sys.exit("make_keras_fixture: fixture too large")


if __name__ == "__main__":
    main()
