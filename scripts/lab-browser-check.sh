#!/usr/bin/env bash
# The lab report as students and a teacher see it: renders notebooks/lab-optimizers.md (the students' version,
# then the teacher's for a projector from the same cache) and has Selenium drive Debian's chromium over both:
# every handout block, amber warnings, the "with warnings" badge, grey chips, a phone's width, the present
# layout; whole-page screenshots on desktop, phone, dark mode and present (scripts/lab_browser.py).
#
#   scripts/lab-browser-check.sh [OUTPUT_DIR]    (default: a temporary folder, kept so the screenshots can be looked at)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

[ -x /usr/bin/chromedriver ] || { echo "lab-browser-check: chromium-driver is not installed (apt-get install chromium-driver)" >&2; exit 1; }
venv="$root/bench/.venv-browser"
if ! "$venv/bin/python" -c "import selenium" 2>/dev/null; then
    echo "== creating $venv with selenium"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet selenium
fi
if [ $# -ge 1 ]; then out="$(mkdir -p "$1" && cd "$1" && pwd)"; else out="$(mktemp -d "${TMPDIR:-/tmp}/mnistbook-lab.XXXXXX")"; fi
# CI has just built the binary with `swift test -c release`; a plain release build would compile everything again.
[ -n "${MNISTBOOK_PREBUILT:-}" ] || swift build -c release --product mnistbook
binary="$root/.build/release/mnistbook"

"$binary" check notebooks/lab-optimizers.md
# Warnings are expected (the batch-512 run is there to show them); they go to standard error.
"$binary" render notebooks/lab-optimizers.md -o "$out" --quiet 2> "$out/warnings.txt"
grep -q "train: warning: " "$out/warnings.txt" || { echo "lab-browser-check: the batch-512 run printed no warning" >&2; exit 1; }
"$binary" render notebooks/lab-optimizers.md -o "$out" --quiet --teacher --present 2> /dev/null
"$venv/bin/python" scripts/lab_browser.py --student "$out/lab-optimizers.html" \
    --teacher-present "$out/lab-optimizers-teacher-present.html" --out "$out"
