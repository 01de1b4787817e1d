#!/usr/bin/env python3
"""Opens the lab report (notebooks/lab-optimizers.md) in headless Chromium the way students and a teacher
see it, checks what the eye would, and saves whole-page screenshots.

    scripts/lab_browser.py --student S.html --teacher-present T.html --out DIR

Selenium drives Debian's chromium through Debian's chromium-driver. Checks, each with its own message:
every handout block is on the page as a callout (and the solution only in the teacher's version); a
warning is amber, not the pale blue of a note; a step with warnings says "ran, with warnings"; the grey
chip of a callback that cannot act; the All runs table with the four runs by id, the continued one
marked, each later run judged against the seed noise of the repeated Adam run; nothing wider than a phone's screen; the present layout's text and
charts larger than the desktop's. Screenshots: lab-desktop.png, lab-phone.png, lab-dark.png, lab-present.png.
Exit status 1 on any failed check.
"""
import argparse, sys

from selenium.webdriver.common.by import By

from headless import Checks, browser  # scripts/headless.py

check = Checks("lab-browser")


def style(driver, selector, prop):
    return driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? getComputedStyle(e)[arguments[1]] : null;", selector, prop)


def whole_page(driver, path, width):
    """A screenshot of the whole page: the viewport made as tall as the document."""
    height = driver.execute_script("return Math.ceil(document.documentElement.scrollHeight)")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": min(height, 30000), "deviceScaleFactor": 1, "mobile": width < 500})
    driver.save_screenshot(path)


def student_checks(driver, name):
    kinds = {e.get_attribute("class").split()[-1] for e in driver.find_elements(By.CSS_SELECTOR, "aside.callout")}
    for kind in ["callout-question", "callout-answer", "callout-note", "callout-warning"]:
        check(kind in kinds, f"{name}: no {kind} block on the page")
    check("callout-solution" not in kinds, f"{name}: the students' report shows a solution")
    warning_bg = style(driver, "p.warning", "backgroundColor")
    note_bg = style(driver, "p.note", "backgroundColor")
    check(warning_bg is not None, f"{name}: no amber warning in any step")
    check(warning_bg != note_bg, f"{name}: a warning looks like a note ({warning_bg})")
    badges = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".step.warned .status")]
    check(any(b.startswith("ran, with warnings") or "with warnings" in b for b in badges),
          f"{name}: no step badge says 'with warnings' ({badges})")
    check(len(driver.find_elements(By.CSS_SELECTOR, "li.param.inert")) > 0, f"{name}: no grey chip for a callback that cannot act")
    # The lab's runs by their ids, the continued one marked, each against the Adam run's seed noise.
    tables = driver.find_elements(By.CSS_SELECTOR, "section#runs table")
    check(len(tables) == 1, f"{name}: no All runs table")
    if tables:
        rows = [r.text for r in tables[0].find_elements(By.CSS_SELECTOR, "tbody tr")]
        names = [r.split()[0] if r else "" for r in rows]
        check(names == ["adam", "sgd", "sgd_more", "big_batch"], f"{name}: the All runs table's runs are {names}")
        check(any("continues line" in r for r in rows), f"{name}: the All runs table does not mark the continued run")
        check(all("seed noise" in r for r in rows[1:]), f"{name}: a run is not judged against the seed noise: {rows}")


def view(url, width, height, shot, checks, dark=False):
    """Opens url in a fresh width×height browser, runs checks(driver), saves a whole-page screenshot to shot and
    returns what checks returned."""
    driver = browser(width, height, dark)
    try:
        driver.get(url)
        result = checks(driver)
        whole_page(driver, shot, width)
        return result
    finally:
        driver.quit()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--student", required=True)
    parser.add_argument("--teacher-present", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    student = "file://" + args.student
    present = "file://" + args.teacher_present

    def desktop(driver):
        student_checks(driver, "desktop")
        font = float(style(driver, "body", "fontSize").rstrip("px"))
        chart = driver.execute_script("return document.querySelector('.chart').getBoundingClientRect().width")
        return font, chart

    def phone(driver):
        student_checks(driver, "phone")
        overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        check(overflow <= 1, f"phone: the page is {overflow} px wider than the screen")

    def dark(driver):
        check(style(driver, "p.warning", "backgroundColor") != style(driver, "p.note", "backgroundColor"),
              "dark: a warning looks like a note")

    def teacher_present(driver):
        check(driver.find_element(By.TAG_NAME, "body").get_attribute("class") == "layout-present", "present: not the present layout")
        check(len(driver.find_elements(By.CSS_SELECTOR, "aside.callout-solution")) == 3, "present: the teacher's version lacks its 3 solutions")
        font = float(style(driver, "body", "fontSize").rstrip("px"))
        chart = driver.execute_script("return document.querySelector('.chart').getBoundingClientRect().width")
        check(font >= desktop_font * 1.25, f"present: type {font}px is not larger than the desktop's {desktop_font}px")
        check(chart >= desktop_chart * 1.3, f"present: a chart is {chart:.0f}px wide, the desktop's {desktop_chart:.0f}px")

    desktop_font, desktop_chart = view(student, 1200, 1000, f"{args.out}/lab-desktop.png", desktop)
    view(student, 390, 844, f"{args.out}/lab-phone.png", phone)
    view(student, 1200, 1000, f"{args.out}/lab-dark.png", dark, dark=True)
    view(present, 1920, 1080, f"{args.out}/lab-present.png", teacher_present)

    if check.failures:
        sys.exit(1)
    print(f"lab-browser: callouts, amber warnings, badges, grey chips, phone width and the present layout as expected; "
          f"screenshots in {args.out}")


if __name__ == "__main__":
    main()
