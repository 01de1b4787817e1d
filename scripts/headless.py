"""What the Selenium page checks (lab_browser.py, runs_browser.py) share: Debian's chromium driven through
Debian's chromium-driver with a device's viewport, and the list of failed checks, each printed as it fails."""
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


class Checks:
    """`check(ok, message)` records and prints a failed check under the script's prefix."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.failures = []

    def __call__(self, ok, message):
        if not ok:
            self.failures.append(message)
            print(f"{self.prefix}: {message}", file=sys.stderr)


def browser(width, height, dark=False):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--window-size={width},{height}"]:
        options.add_argument(flag)
    if dark:
        options.add_argument("--force-dark-mode")
        options.add_argument("--blink-settings=preferredColorScheme=0")
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    # The viewport as a device's (a window cannot be made as narrow as a phone).
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500})
    return driver
