#!/usr/bin/env bash
# Runs mnistbook's ONNX export through onnxruntime and compares the probabilities on 1,000 MNIST test images.
#
#   scripts/onnx_crosscheck.sh [DIR]
#
# 1. a Python venv with onnxruntime, numpy and onnx (for its checker) in bench/.venv-onnx (git-ignored; created on first use),
# 2. the Swift test ONNXExportTests/testExportForOnnxruntimeCrossCheck (release build) writes model.onnx,
#    variant.onnx, images.f32 and the engine's probabilities into DIR (default: a temporary folder),
# 3. scripts/check_onnx.py compares them: max |difference| <= 1e-4 and identical argmax, else exit 1;
# 4. the int8 model: QuantizationTests/testInt8ExportForOnnxruntimeCrossCheck writes its QDQ export, the 10,000 test
#    images and mnistbook's int8 probabilities into DIR/int8, and scripts/check_onnx_int8.py requires argmax agreement >= 99.9 %.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

venv="$root/bench/.venv-onnx"
if ! "$venv/bin/python" -c "import onnxruntime, numpy, onnx" 2>/dev/null; then
    echo "== creating $venv with onnxruntime, numpy and onnx"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet onnxruntime numpy onnx
fi

if [ $# -ge 1 ]; then
    dir="$1"
    mkdir -p "$dir"
else
    dir="$(mktemp -d "${TMPDIR:-/tmp}/mnistbook-onnx.XXXXXX")"
    trap 'rm -rf "$dir"' EXIT
fi
dir="$(cd "$dir" && pwd)"

echo "== exporting with mnistbook into $dir"
# MNISTBOOK_PACKAGE: another package that builds the same sources (default: this checkout).
MNISTBOOK_ONNX_CHECK_DIR="$dir" swift test --package-path "${MNISTBOOK_PACKAGE:-$root}" -c release \
    --filter 'ONNXExportTests/testExportForOnnxruntimeCrossCheck|QuantizationTests/testInt8ExportForOnnxruntimeCrossCheck'

echo "== comparing with onnxruntime"
"$venv/bin/python" "$root/scripts/check_onnx.py" "$dir"
"$venv/bin/python" "$root/scripts/check_onnx_int8.py" "$dir/int8"
