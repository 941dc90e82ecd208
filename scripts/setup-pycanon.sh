#!/usr/bin/env bash
# pycanon (the independent k-anonymity / l-diversity verifier used by the tests) pins old numpy,
# pandas and scipy, so it lives in its own venv beside the project's.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=benchmarks/.work/pycanon-venv
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import pycanon" 2>/dev/null; then
  mkdir -p benchmarks/.work
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet "pycanon==1.3.6"
fi
