#!/usr/bin/env bash
# Test dependencies: the Python extras (dev, and spark + postgres for the engine tests),
# LibreOffice + poppler for the render tests, and a Java runtime for Spark.
# Used by the README's Quick start and by .ci/run.  Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q -e '.[dev,spark,postgres]'
packages=()
if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null; then
    packages+=(libreoffice-calc-nogui poppler-utils)
fi
if ! command -v java >/dev/null; then
    packages+=(openjdk-17-jre-headless)
fi
if [ ${#packages[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        "${packages[@]}" >/dev/null
fi
