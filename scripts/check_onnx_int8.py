#!/usr/bin/env python3
"""Cross-checks mnistbook's int8 (QDQ) ONNX export against mnistbook's own int8 predictions.

Usage:
    check_onnx_int8.py DIR [--agreement 0.999]

DIR is what the Swift test QuantizationTests/testInt8ExportForOnnxruntimeCrossCheck writes when
MNISTBOOK_ONNX_CHECK_DIR is set, in its int8 folder (scripts/onnx_crosscheck.sh runs both):

    int8.onnx                  the int8 model in QDQ form (QuantizeLinear/DequantizeLinear around Conv/MatMul)
    test_images.f32            the 10,000 MNIST test images, NHWC, x / 255, float32 little-endian
    int8.probabilities.f32     mnistbook's int8 class probabilities for them, [10000, 10]

onnx.checker validates the file (when the onnx package is installed), onnxruntime runs the images, and the
predicted classes (argmax) must agree with mnistbook's on at least the given fraction of the images.
Exit status 0 when they do, 1 otherwise, 2 when the inputs are missing or malformed.
"""
import argparse
import pathlib
import sys

try:
    import numpy as np
    import onnxruntime as ort
except ImportError as error:  # pragma: no cover
    sys.exit(f"check_onnx_int8.py: {error.name} is not installed; "
             "run: python3 -m venv bench/.venv-onnx && bench/.venv-onnx/bin/pip install onnxruntime numpy")


def read_f32(path, columns):
    if not path.is_file():
        print(f"check_onnx_int8.py: {path} does not exist", file=sys.stderr)
        sys.exit(2)
    data = np.fromfile(path, dtype="<f4")
    if data.size % columns != 0:
        print(f"check_onnx_int8.py: {path} holds {data.size} values, not a multiple of {columns}", file=sys.stderr)
        sys.exit(2)
    return data.reshape(-1, columns)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", type=pathlib.Path)
    parser.add_argument("--agreement", type=float, default=0.999)
    args = parser.parse_args()
    model = args.dir / "int8.onnx"
    if not model.is_file():
        print(f"check_onnx_int8.py: {model} does not exist", file=sys.stderr)
        return 2
    images = read_f32(args.dir / "test_images.f32", 28 * 28).reshape(-1, 28, 28, 1)
    expected = read_f32(args.dir / "int8.probabilities.f32", 10)
    if len(expected) != len(images):
        print(f"check_onnx_int8.py: {len(images)} images but {len(expected)} rows of probabilities", file=sys.stderr)
        return 2
    try:
        import onnx
        onnx.checker.check_model(onnx.load(str(model)), full_check=True)
    except ImportError:
        pass
    except Exception as error:  # noqa: BLE001 - any checker complaint fails the model
        print(f"FAIL {model}: onnx.checker rejects it: {error}")
        return 1
    session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    got = np.concatenate([session.run(["probabilities"], {"input": images[i:i + 1000]})[0]
                          for i in range(0, len(images), 1000)])
    same = int((got.argmax(1) == expected.argmax(1)).sum())
    fraction = same / len(images)
    difference = float(np.abs(got - expected).max())
    ops = sorted({node.op_type for node in onnx.load(str(model)).graph.node}) if "onnx" in sys.modules else []
    verdict = "ok  " if fraction >= args.agreement else "FAIL"
    print(f"{verdict} {model.name}: argmax agrees on {same}/{len(images)} test images ({100 * fraction:.2f} %, "
          f"required {100 * args.agreement:.1f} %); largest probability difference {difference:.2e}; "
          f"onnxruntime {ort.__version__}; operators {', '.join(ops)}")
    return 0 if fraction >= args.agreement else 1


if __name__ == "__main__":
    sys.exit(main())
