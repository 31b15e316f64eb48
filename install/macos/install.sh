#!/usr/bin/env bash
# Wire Excel on macOS to xlbizops: a Python environment, the package, the add-in.
# Run from the xlbizops folder you downloaded (a checkout, or an unpacked release with
# its wheel in dist/):  bash install/macos/install.sh
# macOS Excel runs xlwings macros and ribbon buttons; the formulas need Windows Excel
# with classic xlwings, or xlwings Lite (see the README).
set -euo pipefail  # stops at the first failing command
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ENV_DIR="$HOME/Library/Application Support/xlbizops/venv"

# A Python from 3.11 to 3.14 (a stock Mac's python3 is 3.9): versioned commands first,
# then python3, then on a Mac Homebrew's, python.org's and pyenv's.
find_python() {
    local candidate places=()
    if [ "$(uname)" = Darwin ]; then
        places=(/opt/homebrew/bin/python3 /usr/local/bin/python3
            /Library/Frameworks/Python.framework/Versions/Current/bin/python3
            "$HOME/.pyenv/shims/python3")
    fi
    for candidate in python3.14 python3.13 python3.12 python3.11 python3 \
        ${places[@]+"${places[@]}"}; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 14))' \
                >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

if [ ! -x "$ENV_DIR/bin/python" ]; then
    if ! PYTHON="$(find_python)"; then
        echo "xlbizops needs Python 3.11 to 3.14, and none was found (a stock Mac has 3.9)." >&2
        echo "Install one with Homebrew (brew install python@3.13) or from" \
            "https://www.python.org/downloads/macos/, then run this again." >&2
        exit 1
    fi
    "$PYTHON" -m venv "$ENV_DIR"
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
