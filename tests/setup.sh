#!/usr/bin/env bash
# Test dependencies: the Python extras, and LibreOffice + poppler for the render tests.
# Used by the README's Quick start and by .ci/run.  Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q -e '.[dev]'
if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        libreoffice-calc-nogui poppler-utils >/dev/null
fi
