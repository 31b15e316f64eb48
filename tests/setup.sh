#!/usr/bin/env bash
# Test dependencies: LibreOffice + poppler for the render tests, a Java runtime for
# Spark, PostgreSQL and MariaDB servers for the real-server tests (started by the tests
# themselves on 127.0.0.1, in temporary folders), and the MariaDB client library that
# mysqlclient builds against; then the Python extras (dev, and spark + postgres + mysql
# for the engine tests).  Used by the README's Quick start and by .ci/run.  Safe to run
# again.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=()
if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null; then
    packages+=(libreoffice-calc-nogui poppler-utils)
fi
if ! command -v java >/dev/null; then
    packages+=(openjdk-17-jre-headless)
fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    packages+=(postgresql)
fi
if ! command -v mariadbd >/dev/null && [ ! -x /usr/sbin/mariadbd ]; then
    packages+=(mariadb-server)
fi
if ! pkg-config --exists libmariadb 2>/dev/null && ! pkg-config --exists mysqlclient 2>/dev/null; then
    packages+=(libmariadb-dev pkg-config)
fi
if [ ${#packages[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        "${packages[@]}" >/dev/null
fi
python3 -m pip install -q -e '.[dev,spark,postgres,mysql]'
