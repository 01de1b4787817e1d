#!/usr/bin/env python3
"""Writes the JPEG fixtures of Tests/InferenceTests/Fixtures (Pillow; never needed to run mnistbook).

MNIST test digit 0 (a 7), drawn as a person would: black on white, 7x larger, off centre on a 200x200 sheet
(PredictCommandTests.drawn does the same for PNG and PGM), saved as
  seven.pgm                    the drawing itself (lossless), what the JPEGs are compared with
  seven.jpg                    grayscale, baseline, quality 90
  seven-color-progressive.jpg  RGB (YCbCr 4:2:0), progressive, quality 85: a blue pen on cream paper
"""
import gzip
import pathlib

from PIL import Image

root = pathlib.Path(__file__).resolve().parent.parent
with gzip.open(root / "data/mnist/t10k-images-idx3-ubyte.gz") as f:
    f.read(16)
    digit = f.read(784)

ink = [i for i in range(784) if digit[i] > 0]
min_x, max_x = min(i % 28 for i in ink), max(i % 28 for i in ink)
min_y, max_y = min(i // 28 for i in ink), max(i // 28 for i in ink)
sheet = bytearray([255] * 200 * 200)
left, top = 45, 20
for y in range((max_y - min_y + 1) * 7):
    for x in range((max_x - min_x + 1) * 7):
        sheet[(top + y) * 200 + left + x] = 255 - digit[(min_y + y // 7) * 28 + min_x + x // 7]

out = root / "Tests/InferenceTests/Fixtures"
out.mkdir(parents=True, exist_ok=True)
gray = Image.frombytes("L", (200, 200), bytes(sheet))
(out / "seven.pgm").write_bytes(b"P5\n200 200\n255\n" + bytes(sheet))
gray.save(out / "seven.jpg", quality=90)
color = Image.merge("RGB", [gray.point(lambda v: 40 + v * 215 // 255), gray.point(lambda v: 50 + v * 190 // 255),
                            gray.point(lambda v: 140 + v * 80 // 255)])
color.save(out / "seven-color-progressive.jpg", quality=85, progressive=True)
