#!/usr/bin/env bash
# bench/compare.sh: mnistbook vs Keras (TensorFlow) vs PyTorch on the reference CNN,
# same MNIST data, batch 64, 48k/12k split, Adam 1e-3, 2 threads, one epoch each.
#
# Run from the repo root:   bash bench/compare.sh [--skip-build] [--no-keras] [--no-torch] [--no-mnistbook] [--bf16]
#
# --bf16 trains in mixed precision everywhere: Keras' mixed_bfloat16 policy, PyTorch under
# torch.autocast(bfloat16), mnistbook with --precision mixed_bfloat16 (inference stays fp32 in all three).
#
# Creates/reuses the venvs bench/.venv-keras (tensorflow-cpu) and bench/.venv-torch (torch, a
# large download), builds mnistbook in release, runs the three benchmarks one after another,
# prints a table and ratios, and writes the raw JSON lines to bench/results-latest.jsonl.
# Python is used for these cross-checks only; mnistbook itself never runs it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
BENCH="$ROOT/bench"
RESULTS="$BENCH/results-latest.jsonl"
LOGDIR="$BENCH/logs"          # git-ignored by the bench/.gitignore
PY=${PYTHON:-python3}

do_build=1 do_keras=1 do_torch=1 do_mnistbook=1 precision=float32
for arg in "$@"; do
  case "$arg" in
    --skip-build) do_build=0 ;;
    --no-keras) do_keras=0 ;;
    --no-torch) do_torch=0 ;;
    --no-mnistbook) do_mnistbook=0 ;;
    --bf16) precision=mixed_bfloat16 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

say() { printf '\n== %s\n' "$*" >&2; }
mkdir -p "$LOGDIR"

# ---------------------------------------------------------------------------- environment
say "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), training precision $precision"
export BENCH_PRECISION=$precision
load1=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load1" 'BEGIN { exit !(l > 0.5) }'; then
  echo "warning: the machine is busy (load $load1): the numbers will be lower and noisier than on an idle machine" >&2
fi
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set on this machine for OpenBLAS. They are left
# as they are for every command: TensorFlow (Eigen/oneDNN) and PyTorch (MKL/oneDNN) do not use
# OpenBLAS for their work, and numpy only reads the IDX files here.
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-<unset>} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE-<unset>} (left as they are)" >&2

# venv_ready DIR MODULE PACKAGES...: create the venv DIR and pip install PACKAGES unless MODULE imports
venv_ready() {
  local dir=$1 module=$2; shift 2
  if [[ -x "$dir/bin/python" ]] && "$dir/bin/python" -c "import $module, numpy" >/dev/null 2>&1; then
    echo "reusing $dir" >&2
    return 0
  fi
  say "creating $dir and installing $* from PyPI (this can take a few minutes)"
  "$PY" -m venv "$dir" || { echo "compare.sh: cannot create venv $dir (is python3-venv installed?)" >&2; return 1; }
  "$dir/bin/pip" install --quiet --upgrade pip >/dev/null 2>&1 || true
  if ! "$dir/bin/pip" install --quiet "$@"; then
    echo "compare.sh: pip install $* into $dir failed" >&2
    return 1
  fi
}

: > "$RESULTS.tmp"
status=0

# run_python NAME VENV SCRIPT: run one Python benchmark, append its JSON line to the results
run_python() {
  local name=$1 venv=$2 script=$3 log="$LOGDIR/$1.log" out
  say "$name: running $script (one epoch; about a minute)"
  if out=$(PYTHONUNBUFFERED=1 "$venv/bin/python" "$script" 2>"$log"); then
    out=$(printf '%s\n' "$out" | grep '^{' | tail -n 1 || true)
  else
    out=""
  fi
  if [[ -n "$out" ]] && printf '%s' "$out" | "$PY" -c 'import json,sys; json.loads(sys.stdin.read())' 2>/dev/null; then
    printf '%s\n' "$out" >> "$RESULTS.tmp"
    printf '%s\n' "$out" >&2
  else
    echo "$name: FAILED, last lines of $log:" >&2
    grep -v -e 'absl::InitializeLog' -e 'oneDNN custom operations' -e 'cpu_feature_guard' "$log" | tail -n 15 >&2 || true
    status=1
  fi
}

# ---------------------------------------------------------------------------- Keras
if (( do_keras )); then
  if venv_ready "$BENCH/.venv-keras" tensorflow tensorflow-cpu numpy; then
    run_python keras "$BENCH/.venv-keras" "$BENCH/keras_bench.py"
  else
    status=1
  fi
fi

# ---------------------------------------------------------------------------- PyTorch
if (( do_torch )); then
  if venv_ready "$BENCH/.venv-torch" torch torch numpy; then
    run_python torch "$BENCH/.venv-torch" "$BENCH/torch_bench.py"
  else
    status=1
  fi
fi

# ---------------------------------------------------------------------------- mnistbook
if (( do_mnistbook )); then
  mnistbook_ok=1
  if (( do_build )); then
    say "mnistbook: swift build -c release --product mnistbook"
    if ! swift build -c release --product mnistbook >"$LOGDIR/swift-build.log" 2>&1; then
      echo "mnistbook: release build failed, last lines of $LOGDIR/swift-build.log:" >&2
      tail -n 15 "$LOGDIR/swift-build.log" >&2 || true
      mnistbook_ok=0
    fi
  fi
  bin="$ROOT/.build/release/mnistbook"
  out=""
  if (( mnistbook_ok )) && [[ -x "$bin" ]]; then
    say "mnistbook: $bin bench --json --precision $precision"
    if out=$("$bin" bench --json --precision "$precision" 2>"$LOGDIR/mnistbook.log"); then
      out=$(printf '%s\n' "$out" | grep '^{' | tail -n 1 || true)
    else
      echo "mnistbook bench --json exited non-zero, last lines of $LOGDIR/mnistbook.log:" >&2
      tail -n 10 "$LOGDIR/mnistbook.log" >&2 || true
      out=""
    fi
  fi
  if [[ -n "$out" ]] && printf '%s' "$out" | "$PY" -c 'import json,sys; json.loads(sys.stdin.read())' 2>/dev/null; then
    printf '%s\n' "$out" >> "$RESULTS.tmp"
    printf '%s\n' "$out" >&2
  else
    echo "mnistbook: not available"
  fi
fi

mv "$RESULTS.tmp" "$RESULTS"

# ---------------------------------------------------------------------------- table and ratios
say "results ($RESULTS)"
"$PY" - "$RESULTS" <<'EOF'
import json, sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def kind(r):
    f = r.get("framework", "").lower()
    return "mnistbook" if f.startswith("mnistbook") else "keras" if f.startswith("keras") else "torch" if "torch" in f else f
by = {kind(r): r for r in rows}

def num(r, k, fmt):
    v = r.get(k)
    return format(v, fmt) if isinstance(v, (int, float)) else "-"

cols = [("framework", 32), ("train img/s", 12), ("epoch s", 9), ("infer ms@1", 11),
        ("infer img/s@256", 16), ("peak RSS MB", 12), ("threads", 8)]
print("".join(f"{c:<{w}}" if i == 0 else f"{c:>{w}}" for i, (c, w) in enumerate(cols)))
for name in ("mnistbook", "keras", "torch"):
    r = by.get(name)
    if r is None:
        if name == "mnistbook":
            print(f"{'mnistbook: not available':<32}")
        continue
    lat = num(r, "infer_ms_batch1", ".3f")
    cells = [r.get("framework", name)[:31], num(r, "train_images_per_second", ".0f"), num(r, "epoch_seconds", ".1f"),
             lat, num(r, "infer_images_per_second_batch256", ".0f"), num(r, "peak_rss_mb", ".0f"), num(r, "threads", "d")]
    print("".join(f"{c:<{w}}" if i == 0 else f"{c:>{w}}" for i, (c, (_, w)) in enumerate(zip(cells, cols))))
if "keras" in by and isinstance(by["keras"].get("infer_ms_batch1_predict"), (int, float)):
    print(f"(keras model.predict on one image: {by['keras']['infer_ms_batch1_predict']:.3f} ms median)")

m = by.get("mnistbook")
print()
for other in ("keras", "torch"):
    o = by.get(other)
    if m is None or o is None:
        print(f"mnistbook/{other}: n/a ({'mnistbook' if m is None else other} missing)")
        continue
    def ratio(k):
        a, b = m.get(k), o.get(k)
        return f"{a / b:.3g}x" if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else "n/a"
    print(f"mnistbook/{other}: training throughput {ratio('train_images_per_second')} (higher is better), "
          f"latency@1 {ratio('infer_ms_batch1')} (lower is better), "
          f"inference throughput@256 {ratio('infer_images_per_second_batch256')}")
EOF

exit "$status"
