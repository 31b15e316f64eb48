"""Throw-away database servers for the tests: PostgreSQL and MariaDB from Debian's
packages (``tests/setup.sh`` installs them), each started in a temporary folder on
127.0.0.1 and a free port, as an ordinary user (``nobody`` when the tests run as
root: neither server runs as root), and stopped at the end."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

USER = "shop"
PASSWORD = "s3cret-pw"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "nobody", "--", *command] if os.geteuid() == 0 else command


def _server_folder(kind: str) -> Path:
    """A new folder of the server's own, in the temporary folder (not under the test's
    tmp_path, whose parents are closed to other users)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix=f"xlbizops-{kind}-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "nobody", "nogroup")
    return folder


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, cwd="/")
    if done.returncode:
        raise RuntimeError(f"{command[0]} failed: {(done.stderr or done.stdout)[-800:]}")


def _wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no server on port {port} after {seconds} s")


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class Postgres:
    """``with Postgres(folder) as pg:`` a cluster with the user ``shop`` (password
    :data:`PASSWORD`, md5 over TCP) owning the database ``shop``; ``pg.url``."""

    def __init__(self):
        self.bin = postgres_bin()
        self.folder = _server_folder("postgres")
        self.port = free_port()
        self.url = f"postgres://{USER}:{PASSWORD}@127.0.0.1:{self.port}/shop"

    def __enter__(self):
        data = self.folder / "pgdata"
        secret = self.folder / "pw"
        secret.write_text(PASSWORD + "\n")
        if os.geteuid() == 0:
            shutil.chown(secret, "nobody", "nogroup")
        _run(_as_user([str(self.bin / "initdb"), "-D", str(data), "-U", USER, "-A", "md5",
                       "--pwfile", str(secret), "-E", "UTF8", "--no-sync"]))  # fmt: skip
        _run(_as_user([str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(self.folder / "log"),
                       "-o", f"-p {self.port} -k {self.folder} -h 127.0.0.1 -F", "-w",
                       "start"]))  # fmt: skip
        _wait_for(self.port)
        self.sql("CREATE DATABASE shop")
        return self

    def sql(self, text: str, database: str = "postgres"):
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=USER, password=PASSWORD, dbname=database,
            autocommit=True,
        ) as con:  # fmt: skip
            cursor = con.execute(text)
            return cursor.fetchall() if cursor.description else None

    def __exit__(self, *exc):
        subprocess.run(
            _as_user([str(self.bin / "pg_ctl"), "-D", str(self.folder / "pgdata"), "-m",
                      "immediate", "stop"]),
            capture_output=True, cwd="/",
        )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)


class MariaDB:
    """``with MariaDB(folder) as db:`` a server with the user ``shop`` (password
    :data:`PASSWORD`) allowed everything on the database ``shop``; ``db.url``."""

    def __init__(self):
        self.folder = _server_folder("mariadb")
        self.port = free_port()
        self.url = f"mysql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/shop"
        self.process = None

    def __enter__(self):
        data = self.folder / "data"
        user = ["--user=nobody"] if os.geteuid() == 0 else []
        _run([shutil.which("mariadb-install-db"), "--no-defaults", f"--datadir={data}",
              "--auth-root-authentication-method=normal", "--skip-test-db", *user])  # fmt: skip
        socket_path = self.folder / "sock"
        self.process = subprocess.Popen(
            _as_user([shutil.which("mariadbd") or "/usr/sbin/mariadbd", "--no-defaults",
                      f"--datadir={data}", f"--socket={socket_path}", f"--port={self.port}",
                      "--bind-address=127.0.0.1", f"--pid-file={self.folder / 'pid'}",
                      "--skip-log-bin", "--innodb-buffer-pool-size=64M"]),
            stdout=subprocess.DEVNULL, stderr=open(self.folder / "log", "wb"), cwd="/",
        )  # fmt: skip
        _wait_for(self.port)
        self.root(
            f"CREATE DATABASE shop; CREATE USER '{USER}'@'%' IDENTIFIED BY '{PASSWORD}'; "
            f"GRANT ALL ON shop.* TO '{USER}'@'%';",
            socket_path,
        )
        return self

    def root(self, text: str, socket_path: Path) -> None:
        subprocess.run(
            [shutil.which("mariadb"), "--no-defaults", f"--socket={socket_path}", "-uroot",
             "-e", text],
            check=True, capture_output=True,
        )  # fmt: skip

    def sql(self, text: str):
        import MySQLdb

        con = MySQLdb.connect(host="127.0.0.1", port=self.port, user=USER, password=PASSWORD,
                              database="shop", autocommit=True)  # fmt: skip
        try:
            cursor = con.cursor()
            cursor.execute(text)
            return cursor.fetchall() if cursor.description else None
        finally:
            con.close()

    def __exit__(self, *exc):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)
