#!/usr/bin/env bash
# The lab report as students and a teacher see it: renders notebooks/lab-optimizers.md (the students' version,
# then the teacher's for a projector from the same cache) and has Selenium drive Debian's chromium over both:
# every handout block, amber warnings, the "with warnings" badge, grey chips, a phone's width, the present
# layout; whole-page screenshots on desktop, phone, dark mode and present (scripts/lab_browser.py).
#
#   scripts/lab-browser-check.sh [OUTPUT_DIR]    (default: a temporary folder, kept so the screenshots can be looked at)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/browser-prerequisites.sh"
need_selenium lab-browser-check
if [ $# -ge 1 ]; then out="$(mkdir -p "$1" && cd "$1" && pwd)"; else out="$(mktemp -d "${TMPDIR:-/tmp}/mnistbook-lab.XXXXXX")"; fi
build_binary

"$binary" check notebooks/lab-optimizers.md
# Warnings are expected (the batch-512 run is there to show them); they go to standard error.
"$binary" render notebooks/lab-optimizers.md -o "$out" --quiet 2> "$out/warnings.txt"
grep -q "train: warning: " "$out/warnings.txt" || { echo "lab-browser-check: the batch-512 run printed no warning" >&2; exit 1; }
"$binary" render notebooks/lab-optimizers.md -o "$out" --quiet --teacher --present 2> /dev/null
"$venv/bin/python" scripts/lab_browser.py --student "$out/lab-optimizers.html" \
    --teacher-present "$out/lab-optimizers-teacher-present.html" --out "$out"
