#!/usr/bin/env bash
# The digit pads as a user meets them: Selenium drives Debian's chromium (through Debian's chromium-driver, no
# browser download) to draw a "1" and a "7" with pointer events on `mnistbook serve`'s page and on the pad inside a
# rendered report, and reads the prediction; then the server's load test (2,000 requests, 8 clients).
#
#   scripts/serve-browser-check.sh [OUTPUT_DIR]    (default: a temporary folder; renders notebooks/quickstart.md there)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/browser-prerequisites.sh"
need_selenium serve-browser-check

if [ $# -ge 1 ]; then out="$1"; mkdir -p "$out"; else
    out="$(mktemp -d "${TMPDIR:-/tmp}/mnistbook-serve.XXXXXX")"
    trap 'rm -rf "$out"' EXIT
fi
build_binary
"$binary" render notebooks/quickstart.md -o "$out" --quiet

echo "== drawing digits in Chromium"
"$venv/bin/python" scripts/digit_pad_browser.py --binary "$binary" --model "$out/quickstart_cnn.mnistbook" --report "$out/quickstart.html"
echo "== load test"
python3 scripts/serve_loadtest.py --binary "$binary" --model "$out/quickstart_cnn.mnistbook"
