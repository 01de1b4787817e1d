#!/usr/bin/env bash
# bench/rerender.sh: how long a re-render takes after a prose edit, with the step cache warm.
#
# Run from anywhere:   bash bench/rerender.sh [--skip-build] [--set stage.param=value ...]
# (MNISTBOOK=path/to/mnistbook uses that binary instead of building one.)
#
# Copies notebooks/mnist-lifecycle.md to a temporary folder and renders it into
# output/bench-rerender/ (git-ignored, kept between runs so its cache stays warm). The first
# render of a fresh folder trains the reference CNN for up to 20 epochs (several minutes on two
# cores; pass --set train.epochs=2 for a quicker look, and say so with the figure). Then it adds
# a sentence of prose to the copy, renders again, and prints that second render's wall time,
# process start-up included, and which steps ran and which came from the cache.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
OUT="$ROOT/output/bench-rerender"

do_build=1
sets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-build) do_build=0 ;;
    --set|-P) [ $# -ge 2 ] || { echo "rerender.sh: $1 needs stage.param=value" >&2; exit 2; }
              sets+=(--set "$2"); shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "rerender.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

# MNISTBOOK names an already built binary (and skips the build).
if [ -n "${MNISTBOOK:-}" ]; then
  BIN=$MNISTBOOK
else
  [ "$do_build" = 1 ] && swift build -c release --product mnistbook >&2
  BIN=$(swift build -c release --show-bin-path)/mnistbook
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
NOTEBOOK="$WORK/mnist-lifecycle.md"
cp notebooks/mnist-lifecycle.md "$NOTEBOOK"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

# 1. Render as the notebook is: trains only when output/bench-rerender has no cached training for
#    these parameters yet.
echo "== first render (fills the cache if it is cold)" >&2
start=$(now)
"$BIN" render "$NOTEBOOK" -o "$OUT" ${sets[@]+"${sets[@]}"} >"$WORK/first.log" || { cat "$WORK/first.log"; exit 1; }
first=$(elapsed "$start")
grep -E '^(✓|✗)' "$WORK/first.log" >&2 || true

# 2. A teacher fixes the prose the morning of the class.
sed -i '/^## 1\. Problem definition/a\
\
A sentence added by bench/rerender.sh to stand for a prose edit.' "$NOTEBOOK"
grep -q 'added by bench/rerender.sh' "$NOTEBOOK" || { echo "rerender.sh: the prose edit did not apply" >&2; exit 1; }

echo "== second render, after a prose edit" >&2
start=$(now)
"$BIN" render "$NOTEBOOK" -o "$OUT" ${sets[@]+"${sets[@]}"} >"$WORK/second.log" || { cat "$WORK/second.log"; exit 1; }
second=$(elapsed "$start")
grep -E '^(✓|✗)' "$WORK/second.log" >&2 || true
grep -q 'added by bench/rerender.sh' "$OUT/mnist-lifecycle.html" || { echo "rerender.sh: the edit is not in the report" >&2; exit 1; }

ran=$(grep -cE '^✓ [a-z-]+ [0-9.]+ s$' "$WORK/second.log" || true)
cached=$(grep -cE '^✓ [a-z-]+ cached ' "$WORK/second.log" || true)
printf 'first render:  %6.2f s\n' "$first"
printf 'prose re-render: %6.2f s (%d steps cached, %d ran)%s\n' "$second" "$cached" "$ran" \
  "${sets[*]:+   with ${sets[*]}}"
