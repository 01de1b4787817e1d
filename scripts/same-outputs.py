#!/usr/bin/env python3
"""Are two renders of one notebook the same apart from timings? For a refactor: render with the binary
before and after (`--no-cache -o DIR`), then

    python3 scripts/same-outputs.py BEFORE_DIR AFTER_DIR

Every file the render wrote (mnistbook-outputs.txt, the cache left out) must be byte-for-byte the same once
the timings are masked: in metrics.json the keys below (at any depth), in the HTML the "rendered" date, each
step's seconds, the history table's seconds column and the train step's time and throughput rows, in a model
file (.mnistbook, .onnx) the save time and, for .mnistbook, the CRC-32 trailer that covers it. The cache's
entries must have the same names (the steps' keys). Prints what was compared and any difference; exit status
1 when one remains."""
import json
import re
import sys
from pathlib import Path

TIMING_KEYS = {"train_seconds", "train_images_per_second", "total_seconds", "seconds", "computed_at",
               "evaluate_seconds", "rendered", "created", "latency_ms", "images_per_second"}
TIMESTAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
TIMING_ROWS = [b"training time", b"throughput"]      # the train step's summary table
TIMING_COLUMNS = {b"seconds"}                        # the history table's per-epoch time


def mask_timing_columns(table: re.Match) -> bytes:
    """A table with the cells of its timing columns masked, found by their header."""
    text = table.group(0)
    header = re.search(rb"<thead>(.*?)</thead>", text, flags=re.S)
    if not header:
        return text
    names = [re.sub(rb"<[^>]*>", b"", cell) for cell in re.findall(rb"<th[^>]*>(.*?)</th>", header.group(1), flags=re.S)]
    columns = {i for i, name in enumerate(names) if name in TIMING_COLUMNS}
    if not columns:
        return text

    def row(match: re.Match) -> bytes:
        cells = re.findall(rb"<td[^>]*>.*?</td>", match.group(0), flags=re.S)
        return b"<tr>" + b"".join(b"<td><timing></td>" if i in columns else c for i, c in enumerate(cells)) + b"</tr>"
    return re.sub(rb"<tr><td.*?</tr>", row, text, flags=re.S)


def masked_json(value):
    if isinstance(value, dict):
        return {k: "<timing>" if k in TIMING_KEYS else masked_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked_json(v) for v in value]
    return value


def masked(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name == "metrics.json":
        return json.dumps(masked_json(json.loads(data)), indent=1, sort_keys=True).encode()
    if path.suffix == ".html":
        data = re.sub(rb"(<dt>rendered</dt><dd>)[^<]*", rb"\1<timing>", data)
        data = re.sub(rb"( \xc2\xb7 )(\d[\d.]* s|\d+ min \d+ s|\d+ min)( \xc2\xb7 )", rb"\1<timing>\3", data)
        data = re.sub(rb"(<th scope=\"row\">(?:" + b"|".join(TIMING_ROWS) + rb")</th><td>)[^<]*", rb"\1<timing>", data)
        return re.sub(rb"<table.*?</table>", mask_timing_columns, data, flags=re.S)
    if path.suffix == ".mnistbook":
        return TIMESTAMP.sub(b"<timing>", data[:-4])  # the last 4 bytes: CRC-32 of the rest, timestamp included
    if path.suffix == ".onnx":
        return TIMESTAMP.sub(b"<timing>", data)
    return data


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    before, after = Path(sys.argv[1]), Path(sys.argv[2])
    names = [line.strip() for line in (before / "mnistbook-outputs.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    names = [n for n in names if not n.startswith(".cache")] + ["mnistbook-outputs.txt"]
    different = 0
    for name in names:
        a, b = before / name, after / name
        if not a.is_file() or not b.is_file():
            print(f"{name}: only in {'the first' if a.is_file() else 'the second'} folder")
            different += 1
        elif a.read_bytes() == b.read_bytes():
            print(f"{name}: identical ({a.stat().st_size} bytes)")
        elif masked(a) == masked(b):
            print(f"{name}: identical apart from timings")
        else:
            print(f"{name}: DIFFERENT")
            different += 1
    # The cache entries' names are the steps' keys: the same names mean the same canonical parameters.
    keys = [sorted(p.name for p in (folder / ".cache").glob("*.entry")) for folder in (before, after)]
    if keys[0] == keys[1]:
        print(f".cache: the same {len(keys[0])} step keys")
    else:
        print(f".cache: different step keys: {sorted(set(keys[0]) ^ set(keys[1]))}")
        different += 1
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
