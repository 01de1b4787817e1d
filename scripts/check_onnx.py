#!/usr/bin/env python3
"""Cross-checks mnistbook's ONNX export against onnxruntime.

Usage:
    check_onnx.py DIR [--tolerance 1e-4]
    check_onnx.py --model model.onnx --images images.f32 --expected probabilities.f32

DIR is what the Swift test ONNXExportTests/testExportForOnnxruntimeCrossCheck writes when
MNISTBOOK_ONNX_CHECK_DIR is set (scripts/onnx_crosscheck.sh does both steps):

    images.f32                  the first 1,000 MNIST test images, NHWC, x / 255, float32 little-endian
    model.onnx                  the reference CNN, trained briefly
    probabilities.f32           mnistbook's class probabilities for those images, [1000, classes]
    <name>.onnx                 further models (e.g. variant.onnx: every layer option) ...
    <name>.probabilities.f32    ... with their probabilities

For every model, onnx.checker validates the file (when the onnx package is installed), onnxruntime runs the images and the script compares its probabilities with
mnistbook's: the largest absolute difference must stay within the tolerance and the predicted
class (argmax) must be the same for every image. Exit status 0 when all models agree, 1 otherwise,
2 when the inputs are missing or malformed.
"""
import argparse
import pathlib
import sys

try:
    import numpy as np
    import onnxruntime as ort
except ImportError as error:  # pragma: no cover
    sys.exit(f"check_onnx.py: {error.name} is not installed; "
             "run: python3 -m venv bench/.venv-onnx && bench/.venv-onnx/bin/pip install onnxruntime numpy")


def fail_input(message):
    print(f"check_onnx.py: {message}", file=sys.stderr)
    sys.exit(2)


def read_f32(path, shape):
    if not path.is_file():
        fail_input(f"{path} does not exist")
    data = np.fromfile(path, dtype="<f4")
    expected = int(np.prod(shape))
    if data.size != expected:
        fail_input(f"{path} holds {data.size} float32 values, expected {expected} for shape {list(shape)}")
    return data.reshape(shape)


def check(model_path, images_path, expected_path, tolerance):
    """Returns True when onnxruntime agrees with mnistbook on this model."""
    try:
        import onnx  # optional: the reference checker, when installed
    except ImportError:
        onnx = None
    if onnx is not None:
        try:
            onnx.checker.check_model(onnx.load(str(model_path)), full_check=True)
        except Exception as error:  # noqa: BLE001 - any checker complaint fails the model
            print(f"FAIL {model_path}: onnx.checker rejects it: {error}")
            return False
    session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    inputs, outputs = session.get_inputs(), session.get_outputs()
    if [i.name for i in inputs] != ["input"] or [o.name for o in outputs] != ["probabilities"]:
        print(f"FAIL {model_path}: graph inputs {[i.name for i in inputs]} and outputs {[o.name for o in outputs]}, "
              "expected ['input'] and ['probabilities']")
        return False
    sample_shape = [int(d) for d in inputs[0].shape[1:]]
    classes = int(outputs[0].shape[1])
    n = np.fromfile(images_path, dtype="<f4").size // max(int(np.prod(sample_shape)), 1)
    images = read_f32(images_path, [n] + sample_shape)
    expected = read_f32(expected_path, [n, classes])

    got = session.run(["probabilities"], {"input": images})[0]
    if got.shape != expected.shape:
        print(f"FAIL {model_path}: onnxruntime gave shape {list(got.shape)}, mnistbook {list(expected.shape)}")
        return False
    difference = np.abs(got.astype(np.float64) - expected.astype(np.float64))
    worst = float(difference.max())
    worst_image = int(difference.max(axis=1).argmax())
    mismatched = np.nonzero(got.argmax(axis=1) != expected.argmax(axis=1))[0]
    meta = session.get_modelmeta()
    props = meta.custom_metadata_map
    print(f"{model_path.name}: graph {meta.graph_name!r}, {n} images of {sample_shape}, {classes} classes "
          f"({props.get('dataset', '?')}, preprocessing {props.get('preprocessing', '?')!r}); "
          f"max |p_onnxruntime - p_mnistbook| = {worst:.3g} (image {worst_image}), "
          f"argmax identical for {n - len(mismatched)}/{n}")
    ok = True
    if not np.isfinite(got).all():
        print(f"FAIL {model_path}: onnxruntime produced non-finite values")
        ok = False
    if worst > tolerance:
        print(f"FAIL {model_path}: probabilities differ by up to {worst:.3g} (image {worst_image}), "
              f"more than the tolerance {tolerance:g}")
        ok = False
    if len(mismatched):
        first = ", ".join(str(i) for i in mismatched[:10])
        print(f"FAIL {model_path}: the predicted class differs for {len(mismatched)} images (first: {first})")
        ok = False
    return ok


def main():
    parser = argparse.ArgumentParser(description="Compare mnistbook's ONNX export with onnxruntime.")
    parser.add_argument("directory", nargs="?", type=pathlib.Path,
                        help="folder with images.f32, model.onnx, probabilities.f32 and more <name>.onnx pairs")
    parser.add_argument("--model", type=pathlib.Path, help="one .onnx file (with --images and --expected)")
    parser.add_argument("--images", type=pathlib.Path, help="float32 NHWC images, preprocessed")
    parser.add_argument("--expected", type=pathlib.Path, help="mnistbook's float32 probabilities")
    parser.add_argument("--tolerance", type=float, default=1e-4, help="largest allowed absolute difference (1e-4)")
    args = parser.parse_args()

    if args.model:
        if not (args.images and args.expected):
            fail_input("--model needs --images and --expected")
        pairs, images = [(args.model, args.expected)], args.images
    elif args.directory:
        folder = args.directory
        images = folder / "images.f32"
        pairs = []
        for model in sorted(folder.glob("*.onnx")):
            name = "probabilities.f32" if model.stem == "model" else f"{model.stem}.probabilities.f32"
            pairs.append((model, folder / name))
        if not pairs:
            fail_input(f"{folder} holds no .onnx file; run the Swift side first (scripts/onnx_crosscheck.sh)")
    else:
        parser.print_usage(sys.stderr)
        sys.exit(2)

    for model, _ in pairs:
        if not model.is_file():
            fail_input(f"{model} does not exist")
    print(f"onnxruntime {ort.__version__}, numpy {np.__version__}, tolerance {args.tolerance:g}")
    results = [check(model, images, expected, args.tolerance) for model, expected in pairs]
    if not all(results):
        print(f"check_onnx.py: {results.count(False)} of {len(results)} ONNX exports disagree with mnistbook", file=sys.stderr)
        sys.exit(1)
    print(f"OK: {len(results)} ONNX export(s) agree with mnistbook")


if __name__ == "__main__":
    main()
