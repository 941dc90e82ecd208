#!/usr/bin/env bash
# Install what the browser tests (tests/browser, marker `browser`) need: Debian's chromium and
# the Python playwright package. Idempotent: does nothing that is already there.
# Playwright's own browser download is not used (it needs network access we do not have);
# the tests launch /usr/bin/chromium through playwright.sync_api.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium
fi

PY=python3
if [ -x .venv/bin/python ]; then PY=.venv/bin/python; fi
if ! "$PY" -c "import playwright.sync_api" >/dev/null 2>&1; then
  "$PY" -m pip install playwright
fi
echo "browser tests: chromium $(chromium --version 2>/dev/null | awk '{print $2}'), playwright ready"
