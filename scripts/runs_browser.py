#!/usr/bin/env python3
"""Opens a report with several runs in headless Chromium and looks at its All runs section (the table
of runs and their overlaid validation curves) on a desktop and on a phone.

    scripts/runs_browser.py --report REPORT.html --out DIR

Selenium drives Debian's chromium through Debian's chromium-driver. Checks, each with its own message:
the section is on the page and visible (displayed, not covered, its header the summary of the runs);
it holds the table of runs with a row per run and the two overlaid charts; on a 390 px phone neither
the section, its charts nor the page are wider than the screen (the wide table scrolls inside its own
box). Screenshots of the section alone: runs-desktop.png, runs-phone.png. Exit status 1 on any failed check.
"""
import argparse, sys

from selenium.webdriver.common.by import By

from headless import Checks, browser  # scripts/headless.py

check = Checks("runs-browser")


def section_checks(driver, name, width, runs):
    found = driver.find_elements(By.CSS_SELECTOR, "section#runs")
    check(len(found) == 1, f"{name}: no All runs section (section#runs)")
    if not found:
        return None
    section = found[0]
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", section)
    check(section.is_displayed(), f"{name}: the All runs section is not displayed")
    # Visible means nothing sits on top of it: the element at its header's centre belongs to the section.
    covered = driver.execute_script("""
        const head = arguments[0].querySelector('.step-head').getBoundingClientRect();
        const hit = document.elementFromPoint(head.left + head.width / 2, head.top + head.height / 2);
        return !(hit && arguments[0].contains(hit));""", section)
    check(not covered, f"{name}: the All runs header is covered by another element")
    title = section.find_element(By.CSS_SELECTOR, ".step-title").text
    meta = section.find_element(By.CSS_SELECTOR, ".step-meta").text
    check(title == "All runs", f"{name}: the section's title is '{title}'")
    check(meta.startswith(f"summary · {runs} runs of this notebook") and "line" not in meta,
          f"{name}: the section's header reads '{meta}'")
    rows = section.find_elements(By.CSS_SELECTOR, "table tbody tr")
    check(len(rows) == runs, f"{name}: the table of runs has {len(rows)} rows, not {runs}")
    charts = section.find_elements(By.CSS_SELECTOR, "figure.chart svg")
    check(len(charts) == 2, f"{name}: {len(charts)} overlaid charts, not 2 (accuracy and loss)")
    box = driver.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.left, r.right, r.height];", section)
    check(box[2] > 200, f"{name}: the All runs section is only {box[2]:.0f} px tall")
    check(box[0] >= 0 and box[1] <= width + 0.5, f"{name}: the All runs section spans {box[0]:.0f}…{box[1]:.0f} px on a {width} px screen")
    for chart in charts:
        right = driver.execute_script("return arguments[0].getBoundingClientRect().right", chart)
        check(right <= width + 0.5, f"{name}: a chart of the All runs section ends at {right:.0f} px on a {width} px screen")
    overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    check(overflow <= 1, f"{name}: the page is {overflow} px wider than the screen")
    return section


def screenshot(driver, section, path, width):
    """The section alone: the viewport made as tall as the document first, so a tall section is not cut."""
    height = driver.execute_script("return Math.ceil(document.documentElement.scrollHeight)")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": min(height, 30000), "deviceScaleFactor": 1, "mobile": width < 500})
    section.screenshot(path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--report", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    url = "file://" + args.report

    for name, width, height in [("desktop", 1200, 1000), ("phone", 390, 844)]:
        driver = browser(width, height)
        try:
            driver.get(url)
            section = section_checks(driver, name, width, args.runs)
            if section is not None:
                screenshot(driver, section, f"{args.out}/runs-{name}.png", width)
        finally:
            driver.quit()

    if check.failures:
        sys.exit(1)
    print(f"runs-browser: the All runs section is visible, with its table and charts, within a phone's width; "
          f"screenshots in {args.out}/runs-desktop.png and runs-phone.png")


if __name__ == "__main__":
    main()
