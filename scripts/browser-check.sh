#!/usr/bin/env bash
# Opens a rendered report in headless Chromium, the way a reader sees it: takes a screenshot and
# checks the DOM Chromium built has every step's heading, the charts and the Graphviz diagram.
#
#   scripts/browser-check.sh [REPORT.html]     (default: renders notebooks/quickstart.md first)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/browser-prerequisites.sh"
need_chromium browser-check

report=${1:-}
if [ -z "$report" ]; then
  build_binary
  out=$(mktemp -d "${TMPDIR:-/tmp}/mnistbook-browser.XXXXXX")
  "$binary" render notebooks/quickstart.md -o "$out" --quiet
  report="$out/quickstart.html"
fi
[ -f "$report" ] || { echo "browser-check: no report at $report" >&2; exit 1; }
url="file://$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
shot="${report%.html}-screenshot.png"
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,2400)

timeout 120 "$browser" "${flags[@]}" --dump-dom "$url" > "$report.dom.html" 2>/dev/null
timeout 120 "$browser" "${flags[@]}" --screenshot="$shot" "$url" > /dev/null 2>&1

failed=0
check() { grep -q -- "$1" "$report.dom.html" || { echo "browser-check: the rendered page lacks $2" >&2; failed=1; }; }
for title in "Load the data" "Explore the data" "Preprocess" "Build the model" "Train the model" "Evaluate" "Error analysis" "Save the model"; do
  check "class=\"step-title\">$title</h2>" "the step heading '$title'"
done
check "<svg" "an inline SVG chart"
check "class=\"node\"" "the Graphviz diagram's nodes"
check "data:image/png;base64," "the PNG image grids"
# A PNG starts with 0x89 'PNG'; a blank or failed capture would be tiny.
size=$(stat -c %s "$shot" 2>/dev/null || echo 0)
head -c 4 "$shot" 2>/dev/null | grep -q "PNG" || { echo "browser-check: no screenshot at $shot" >&2; failed=1; }
[ "$size" -gt 50000 ] || { echo "browser-check: the screenshot is only $size bytes" >&2; failed=1; }
[ $failed -eq 0 ] || exit 1
echo "browser-check: $report renders in Chromium (8 step headings, charts, diagram; screenshot $shot, $size bytes)"

# The look-inside sections (notebooks/inside.md): inspect, the training timelapse, expectations, parameter
# help and the glossary, on a desktop window and a phone-sized one. Skipped when a report was given.
[ -n "${1:-}" ] && exit 0
"$binary" render notebooks/inside.md -o "$out/inside" --quiet || [ $? -eq 3 ]
inside="$out/inside/inside.html"
inside_url="file://$inside"
timeout 120 "$browser" "${flags[@]}" --dump-dom "$inside_url" > "$inside.dom.html" 2>/dev/null
check_inside() { grep -q -- "$1" "$inside.dom.html" || { echo "browser-check: the inside report lacks $2" >&2; failed=1; }; }
check_inside 'class="step-title">Look inside the model</h2>' "the inspect step"
check_inside 'Feature maps of conv1' "the feature maps"
check_inside 'kernels at initialisation' "the filters before training"
check_inside 'class="saliency"' "the saliency maps"
check_inside 'dense1: PCA of' "the embedding scatter"
check_inside 'class="table timelapse"' "the training timelapse table"
check_inside '<details class="more">' "the folded confusion snapshots"
check_inside 'class="expectation ok"' "an expectation beside its step"
check_inside 'role="tooltip"' "the parameter help"
check_inside 'id="glossary"' "the glossary"
# Whole-page captures (the window is taller than the page), so every new section is in the picture;
# the dark one with the reader's setting at dark (prefers-color-scheme).
for view in desktop:1200,16000: phone:390,20000: dark:1200,16000:--force-dark-mode; do
  name=${view%%:*}; rest=${view#*:}; size=${rest%%:*}; extra=${rest#*:}
  dark=(); [ -n "$extra" ] && dark=("$extra" --blink-settings=preferredColorScheme=0)
  vshot="$out/inside/inside-$name.png"
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars "${dark[@]}" --window-size="$size" --screenshot="$vshot" "$inside_url" > /dev/null 2>&1
  bytes=$(stat -c %s "$vshot" 2>/dev/null || echo 0)
  head -c 4 "$vshot" 2>/dev/null | grep -q "PNG" && [ "$bytes" -gt 30000 ] || { echo "browser-check: the $name screenshot $vshot is missing or blank ($bytes bytes)" >&2; failed=1; }
done
[ $failed -eq 0 ] || exit 1
echo "browser-check: $inside shows inspect, timelapse, expectations, help and glossary (screenshots $out/inside/inside-desktop.png, inside-phone.png, inside-dark.png)"

# notebooks/beyond-99.md, shrunk to seconds (1,500 training images, one epoch each, its ensemble of 3): every
# variant's step, the augmentation grid, the residual blocks drawn as clusters with dashed skip edges, the
# ensemble's members and the closing All runs table with one row per run. Accuracies mean nothing here.
# Models this short guess (chance-level warnings on stderr): the log is shown only if the render fails.
.build/release/mnistbook render notebooks/beyond-99.md -o "$out/beyond" --quiet \
  --set load.limit_train=1500 --set load.limit_test=500 --set train.epochs=1 \
  2> "$out/beyond-render.log" || { cat "$out/beyond-render.log" >&2; exit 1; }
beyond="$out/beyond/beyond-99.html"
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$beyond" > "$beyond.dom.html" 2>/dev/null
check_beyond() { grep -q -- "$1" "$beyond.dom.html" || { echo "browser-check: the beyond-99 report lacks $2" >&2; failed=1; }; }
steps=$(grep -o 'class="step-title">' "$beyond.dom.html" | wc -l)
[ "$steps" -eq 15 ] || { echo "browser-check: the beyond-99 report shows $steps step headings, not 14 and All runs" >&2; failed=1; }
check_beyond '<figcaption>Augmented training digits' "the augmentation grid"
check_beyond 'class="cluster"' "the residual blocks as Graphviz clusters"
check_beyond 'stroke-dasharray' "the dashed skip edges"
check_beyond '<figcaption>Ensemble members (test accuracy)' "the ensemble's members"
check_beyond 'class="step-title">All runs</h2>' "the All runs section"
for run in reference_cnn small_resnet vgg_cnn; do check_beyond "<td>$run</td>" "the All runs row of $run"; done
check_beyond 'ensemble of 3; member 1 alone' "the single augmented model inside the ensemble row"
# Three build steps: each diagram's caption names its own file, and that file was written.
for model in reference_cnn small_resnet vgg_cnn; do
  check_beyond "(model_architecture_$model.svg)</figcaption>" "the caption naming $model's diagram file"
  [ -s "$out/beyond/model_architecture_$model.svg" ] || { echo "browser-check: model_architecture_$model.svg was not written" >&2; failed=1; }
done
for view in desktop:1200,30000 phone:390,60000; do
  name=${view%%:*}; size=${view#*:}
  vshot="$out/beyond/beyond-$name.png"
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$size" --screenshot="$vshot" "file://$beyond" > /dev/null 2>&1
  bytes=$(stat -c %s "$vshot" 2>/dev/null || echo 0)
  head -c 4 "$vshot" 2>/dev/null | grep -q "PNG" && [ "$bytes" -gt 30000 ] || { echo "browser-check: the beyond-99 $name screenshot is missing or blank ($bytes bytes)" >&2; failed=1; }
done
[ $failed -eq 0 ] || exit 1
echo "browser-check: $beyond shows 14 steps and All runs, the augmentation grid, residual clusters, the ensemble (screenshots beyond-desktop.png, beyond-phone.png)"
