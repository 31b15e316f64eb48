#!/usr/bin/env bash
# Wire Excel on macOS to xlbizops: a Python environment, the package, the add-in.
# macOS Excel runs xlwings macros and ribbon buttons; formulas (UDFs) need Windows.
set -euo pipefail
ENV_DIR="$HOME/Library/Application Support/xlbizops/venv"
if [ ! -x "$ENV_DIR/bin/python" ]; then
    python3 -m venv "$ENV_DIR"
fi
"$ENV_DIR/bin/python" -m pip install --upgrade pip
"$ENV_DIR/bin/python" -m pip install --upgrade xlbizops
"$ENV_DIR/bin/python" -m xlbizops.cli excel-setup
"$ENV_DIR/bin/python" -m xlbizops.cli doctor
