#!/usr/bin/env python3
"""Draws digits with pointer events in headless Chromium and reads the model's answer, on the page of
`mnistbook serve` and on the digit pad inside a rendered report.

    scripts/digit_pad_browser.py --binary .build/release/mnistbook --model M.mnistbook --report R.html

Selenium drives Debian's chromium through Debian's chromium-driver (no browser download). On each page it draws a
"1" (one stroke, mouse) and a "7" (two strokes, pen), waits for the pad to finish classifying and requires the
answer to be that digit. Exit status 1 on any miss, with what the page showed.
"""
import argparse, subprocess, sys, time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.actions.interaction import POINTER_MOUSE, POINTER_PEN
from selenium.webdriver.common.actions.pointer_input import PointerInput
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

# Strokes in canvas pixels (the canvas is 280×280), each a list of points.
DIGITS = {
    "1": (POINTER_MOUSE, [[(150, 40), (146, 100), (142, 170), (140, 240)]]),
    "7": (POINTER_PEN, [[(70, 50), (140, 48), (210, 50)], [(210, 50), (180, 110), (150, 175), (125, 240)]]),
}


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=800,1000"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def draw(driver, pad, digit):
    kind, strokes = DIGITS[digit]
    canvas = pad.find_element(By.CSS_SELECTOR, "canvas.pad-draw")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    pad.find_element(By.CSS_SELECTOR, "button.pad-clear").click()
    size = canvas.size["width"]  # CSS pixels; offsets are from the element's centre
    def at(p): return int(p[0] * size / 280 - size / 2), int(p[1] * size / 280 - size / 2)
    for stroke in strokes:
        actions = ActionBuilder(driver, mouse=PointerInput(kind, kind))
        x, y = at(stroke[0])
        actions.pointer_action.move_to(canvas, x, y).pointer_down()
        for a, b in zip(stroke, stroke[1:]):
            # Several moves per segment, as a hand makes them: each is one pointermove event.
            for t in range(1, 7):
                x, y = at((a[0] + (b[0] - a[0]) * t / 6, a[1] + (b[1] - a[1]) * t / 6))
                actions.pointer_action.move_to(canvas, x, y)
        actions.pointer_action.pointer_up()
        actions.perform()
    # The pad is idle once the last stroke is classified.
    WebDriverWait(driver, 30).until(lambda d: pad.get_attribute("data-state") == "idle" and pad.get_attribute("data-digit"))
    time.sleep(0.3)
    WebDriverWait(driver, 30).until(lambda d: pad.get_attribute("data-state") == "idle")
    return pad.get_attribute("data-digit"), pad.find_element(By.CSS_SELECTOR, ".pad-answer").text


def check_page(driver, url, name):
    driver.get(url)
    pad = WebDriverWait(driver, 60).until(lambda d: d.find_element(By.CSS_SELECTOR, ".pad"))
    failed = 0
    for digit in DIGITS:
        got, answer = draw(driver, pad, digit)
        ok = got == digit
        print(f"{name}: drew a {digit} ({DIGITS[digit][0]}): {answer!r} {'ok' if ok else 'WRONG'}")
        failed += not ok
    return failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--report", required=True)
    args = parser.parse_args()

    server = subprocess.Popen([args.binary, "serve", "--model", args.model, "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    driver = None
    try:
        line = server.stdout.readline()
        if "http://" not in line:
            sys.exit("serve did not start: " + line + server.stderr.read())
        url = line.split(" at ")[1].split(" ")[0]
        driver = browser()
        failed = check_page(driver, url, "serve")
        import pathlib
        failed += check_page(driver, pathlib.Path(args.report).resolve().as_uri(), "report pad")
    finally:
        if driver:
            driver.quit()
        server.terminate()
        server.wait(timeout=30)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
