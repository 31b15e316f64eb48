#!/usr/bin/env bash
# Wire Excel on macOS to xlbizops: a Python environment, the package, the add-in.
# Run from the xlbizops folder you downloaded (a checkout, or an unpacked release with
# its wheel in dist/):  bash install/macos/install.sh
# macOS Excel runs xlwings macros and ribbon buttons; the formulas need Windows Excel
# with classic xlwings, or xlwings Lite (see the README).
set -euo pipefail  # stops at the first failing command
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ENV_DIR="$HOME/Library/Application Support/xlbizops/venv"
if [ ! -x "$ENV_DIR/bin/python" ]; then
    python3 -m venv "$ENV_DIR"
fi
# Installed from what this script ships with: a wheel in dist/, else the checkout.
PACKAGE="$ROOT"
for wheel in "$ROOT"/dist/xlbizops-*.whl; do
    [ -f "$wheel" ] && PACKAGE="$wheel"
done
"$ENV_DIR/bin/python" -m pip install --upgrade pip
"$ENV_DIR/bin/python" -m pip install --upgrade "$PACKAGE"
"$ENV_DIR/bin/python" -m xlbizops.cli excel-setup
"$ENV_DIR/bin/python" -m xlbizops.cli doctor
