# What the *-browser-check.sh scripts share; each sources this file first. It makes the repository's root the
# working directory and sets $root and $binary; the functions check or make what a check needs. Their argument
# names the calling script in its errors.

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
binary="$root/.build/release/mnistbook"

# Sets $browser: Debian's chromium.
need_chromium() {
  browser=$(command -v chromium || command -v chromium-browser || true)
  [ -n "$browser" ] || { echo "$1: chromium is not installed (apt-get install chromium)" >&2; exit 1; }
}

# Sets $venv: bench/.venv-browser (git-ignored) with Selenium, made on first use. Selenium drives Debian's chromium
# through Debian's chromium-driver, so nothing downloads a browser.
need_selenium() {
  [ -x /usr/bin/chromedriver ] || { echo "$1: chromium-driver is not installed (apt-get install chromium-driver)" >&2; exit 1; }
  venv="$root/bench/.venv-browser"
  if ! "$venv/bin/python" -c "import selenium" 2>/dev/null; then
    echo "== creating $venv with selenium"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet selenium
  fi
}

# The release binary at $binary. CI has just built it with `swift test -c release` and sets MNISTBOOK_PREBUILT=1:
# a plain release build would compile everything again.
build_binary() {
  [ -n "${MNISTBOOK_PREBUILT:-}" ] || swift build -c release --product mnistbook
}
