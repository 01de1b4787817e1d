#!/usr/bin/env bash
# Opens a compare page and a collate page in headless Chromium: renders two tiny runs (600 training
# images, one epoch, two learning rates), writes both pages, takes a screenshot of each and checks the
# DOM Chromium built has every section, the charts and the image grids. Then a report with two runs in
# one notebook: Selenium looks at its All runs section on a desktop and a phone (scripts/runs_browser.py).
#
#   scripts/runs-browser-check.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/browser-prerequisites.sh"
need_chromium runs-browser-check
build_binary
out=$(mktemp -d "${TMPDIR:-/tmp}/mnistbook-runs-browser.XXXXXX")
cat > "$out/tiny.md" <<'NOTEBOOK'
---
title: Tiny run
seed: 11
---

```load
dataset: mnist
limit_train: 600
limit_test: 200
```

```preprocess
```

```build
layers:
  - conv2d: {filters: 8, kernel: 3, activation: relu, name: conv1}
  - maxpool: {pool: 2, name: pool1}
  - flatten: {name: flatten}
  - dense: {units: 32, activation: relu, name: dense1}
  - dense: {units: 10, activation: softmax, name: output}
```

```train
batch_size: 32
epochs: 1
```

```evaluate
```
NOTEBOOK
(cd "$out" && "$binary" render tiny.md --sweep train.learning_rate=0.001,0.01 --quiet)
a="$out/output/tiny/sweep-learning_rate-0.001"
b="$out/output/tiny/sweep-learning_rate-0.01"
(cd "$out" && "$binary" compare "$a" "$b" -o compare.html > /dev/null)
(cd "$out" && "$binary" collate "$a" "$b" "$out" -o class.html > /dev/null 2>&1)

flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,2400)
failed=0
open_page() {   # page, then the ids of the sections it must show
  local page="$1"; shift
  local url="file://$page" shot="${page%.html}-screenshot.png"
  timeout 120 "$browser" "${flags[@]}" --dump-dom "$url" > "$page.dom.html" 2>/dev/null
  timeout 120 "$browser" "${flags[@]}" --screenshot="$shot" "$url" > /dev/null 2>&1
  for id in "$@"; do
    grep -q "<section class=\"panel\" id=\"$id\">" "$page.dom.html" || { echo "runs-browser-check: $page lacks the '$id' section" >&2; failed=1; }
  done
  grep -q "<svg" "$page.dom.html" || { echo "runs-browser-check: $page has no SVG chart" >&2; failed=1; }
  local size
  size=$(stat -c %s "$shot" 2>/dev/null || echo 0)
  head -c 4 "$shot" 2>/dev/null | grep -q "PNG" || { echo "runs-browser-check: no screenshot of $page" >&2; failed=1; }
  [ "$size" -gt 30000 ] || { echo "runs-browser-check: the screenshot of $page is only $size bytes" >&2; failed=1; }
  echo "runs-browser-check: $(basename "$page") renders in Chromium (sections: $*; screenshot $size bytes)"
}
open_page "$out/compare.html" differences metrics curves confusion flipped
grep -q "class=\"cell\"" "$out/compare.html.dom.html" || { echo "runs-browser-check: the compare page has no confusion-difference cells" >&2; failed=1; }
grep -q "data:image/png;base64," "$out/compare.html.dom.html" || { echo "runs-browser-check: the compare page shows no flipped images" >&2; failed=1; }
open_page "$out/class.html" leaderboard changes curves scatter excluded
grep -q "class=\"point\"" "$out/class.html.dom.html" || { echo "runs-browser-check: the class page has no scatter points" >&2; failed=1; }
# The class page lists the folder that is not a run with its reason.
grep -q "no metrics.json" "$out/class.html.dom.html" || { echo "runs-browser-check: the class page does not list the left-out folder" >&2; failed=1; }
[ $failed -eq 0 ] || exit 1

# Two runs in one notebook (the first over two seeds, so its band is drawn too): the report's All runs section,
# its table and overlaid curves, visible and within a phone's width; screenshots of the section kept in $out.
need_selenium runs-browser-check
sed -e '/^```train$/,/^```$/ s/^epochs: 1$/id: small\nrepeat: 2\nepochs: 2/' "$out/tiny.md" > "$out/runs.md"
# Then a second, wider model and its run: tiny.md's build, train and evaluate steps with 64 units in dense1.
{ echo; sed -n '/^```build$/,$ p' "$out/tiny.md" | sed -e 's/^layers:$/name: wider\nlayers:/' -e 's/units: 32,/units: 64,/' \
    -e 's/^batch_size: 32$/id: wide\nbatch_size: 32/' -e 's/^epochs: 1$/epochs: 2/'; } >> "$out/runs.md"
(cd "$out" && "$binary" render runs.md --quiet)
"$venv/bin/python" scripts/runs_browser.py --report "$out/output/runs/runs.html" --out "$out"
