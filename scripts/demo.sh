#!/usr/bin/env bash
# The main job: generate the sample artisanal dataset and release it with its example policy.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/craftveil demo --out "${1:-demo-out}" --overwrite
