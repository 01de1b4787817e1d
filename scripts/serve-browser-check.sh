#!/usr/bin/env bash
# The digit pads as a user meets them: Selenium drives Debian's chromium (through Debian's chromium-driver, no
# browser download) to draw a "1" and a "7" with pointer events on `mnistbook serve`'s page and on the pad inside a
# rendered report, and reads the prediction; then the server's load test (2,000 requests, 8 clients).
#
#   scripts/serve-browser-check.sh [OUTPUT_DIR]    (default: a temporary folder; renders notebooks/quickstart.md there)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

[ -x /usr/bin/chromedriver ] || { echo "serve-browser-check: chromium-driver is not installed (apt-get install chromium-driver)" >&2; exit 1; }
venv="$root/bench/.venv-browser"
if ! "$venv/bin/python" -c "import selenium" 2>/dev/null; then
    echo "== creating $venv with selenium"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet selenium
fi

if [ $# -ge 1 ]; then out="$1"; mkdir -p "$out"; else
    out="$(mktemp -d "${TMPDIR:-/tmp}/mnistbook-serve.XXXXXX")"
    trap 'rm -rf "$out"' EXIT
fi
# CI has just built the binary with `swift test -c release`; a plain release build would compile everything again.
[ -n "${MNISTBOOK_PREBUILT:-}" ] || swift build -c release --product mnistbook
binary="$root/.build/release/mnistbook"
"$binary" render notebooks/quickstart.md -o "$out" --quiet

echo "== drawing digits in Chromium"
"$venv/bin/python" scripts/digit_pad_browser.py --binary "$binary" --model "$out/quickstart_cnn.mnistbook" --report "$out/quickstart.html"
echo "== load test"
python3 scripts/serve_loadtest.py --binary "$binary" --model "$out/quickstart_cnn.mnistbook"
