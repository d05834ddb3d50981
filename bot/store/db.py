"""The database handle: one pooled engine, migrated at open, that expects the database to fail.

Every store call is one transaction run on one of the store's own threads (`Database.run`), so
the event loop never blocks on SQL. There are no more of those threads than pooled connections:
a burst of calls queues for a thread, where nothing times out, and a thread that runs always
finds a connection free (a wait for one would end in the pool's timeout, read as an outage). A connection-level failure (server restarted, failover, connection
dropped, SQLite locked or disk full) is retried briefly, then raised as `DatabaseUnavailable`;
the outage is logged once when it starts and once when it ends, not once per query.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from bot import metrics
from bot.errors import DatabaseUnavailable, StoreError
from bot.hooks import call_each
from bot.metrics import FailureKind

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
RETRY_DELAYS = (0.1, 0.4)  # seconds before each retry of a call that hit a connection failure
CONNECT_TIMEOUT = 5  # seconds; a dead server must not hang a command or a delivery round
SQLITE_BUSY_TIMEOUT = 30
MIGRATION_LOCK = 0x6B68756C  # "khul": the advisory lock key that serializes migrations
# The store's threads, and as many pooled connections; the overflow serves `call` from threads
# of others (summarizer batches, job runners) without taking a connection from the store's own.
STORE_THREADS = 8
POOL_OVERFLOW = 8


def is_outage(error: BaseException) -> bool:
    """Whether an error means the database is unreachable or refusing work, not a bad query."""
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


class Database:
    """Sessions over a migrated database, reached from async code through `await run(fn, ...)`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _create_engine(url)
        # SQLite allows one writer: serializing sessions avoids "database is locked" under threads.
        self._lock: threading.RLock | None = (
            threading.RLock() if self.engine.dialect.name == "sqlite" else None
        )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._outage_lock = threading.Lock()
        self._down_since: float | None = None
        self._recovery_hooks: list[Callable[[], Any]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._threads = ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="store")
        try:
            upgrade(self.engine)
        except SQLAlchemyError as error:
            self.close()
            if is_outage(error):
                raise DatabaseUnavailable(
                    f"cannot reach the database {self.safe_url}: {_first_line(error)}"
                ) from None
            raise StoreError(f"cannot migrate the database {self.safe_url}: {error}") from None

    @property
    def safe_url(self) -> str:
        """The URL with any password hidden, for logs and errors."""
        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def conninfo(self) -> str:
        """The URL as libpq reads it (no SQLAlchemy driver name), for the job engine's pool."""
        url = make_url(self.url)
        return url.set(drivername=url.get_backend_name()).render_as_string(hide_password=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def available(self) -> bool:
        """False from a failed call until a call succeeds again."""
        return self._down_since is None

    def on_recovered(self, hook: Callable[[], Any]) -> None:
        """Registers a callback (sync or async) run on the loop when an outage ends."""
        self._recovery_hooks.append(hook)

    async def run(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Runs `fn(session, ...)` in one committed transaction on one of the store's threads."""
        self._loop = asyncio.get_running_loop()
        context = contextvars.copy_context()  # as `asyncio.to_thread` does
        call = functools.partial(context.run, self.call, fn, *args, **kwargs)
        return await self._loop.run_in_executor(self._threads, call)

    def call(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`run` for code already on a worker thread: retries connection failures briefly."""
        for delay in (*RETRY_DELAYS, None):
            try:
                with self.session() as session:
                    result = fn(session, *args, **kwargs)
            except SQLAlchemyError as error:
                if not is_outage(error):
                    raise
                if delay is None:
                    self._outage_started(error)
                    raise DatabaseUnavailable(
                        f"the database is unavailable: {_first_line(error)}"
                    ) from None
                time.sleep(delay)
            else:
                self._outage_ended()
                return result
        raise AssertionError("unreachable")  # pragma: no cover

    async def ping(self) -> bool:
        """Whether a trivial query succeeds now (health checks)."""
        try:
            await self.run(_select_one)
        except DatabaseUnavailable:
            return False
        return True

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error."""
        if self._lock is None:
            yield from self._transaction()
            return
        with self._lock:
            yield from self._transaction()

    def _transaction(self) -> Iterator[Session]:
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def _outage_started(self, error: BaseException) -> None:
        with self._outage_lock:
            if self._down_since is not None:
                return
            self._down_since = time.monotonic()
        metrics.failure(FailureKind.DATABASE)
        log.warning(
            "database %s unavailable (%s); retrying until it is back",
            self.safe_url,
            _first_line(error),
        )

    def _outage_ended(self) -> None:
        if self._down_since is None:
            return
        with self._outage_lock:
            if self._down_since is None:
                return
            lasted = time.monotonic() - self._down_since
            self._down_since = None
        log.warning("database %s available again after %.0f s", self.safe_url, lasted)
        if self._loop is not None and self._recovery_hooks and not self._loop.is_closed():
            asyncio.run_coroutine_threadsafe(call_each(self._recovery_hooks), self._loop)

    def close(self) -> None:
        """Waits for the calls running on the store's threads, then releases every connection."""
        self._threads.shutdown(wait=True, cancel_futures=True)
        self.engine.dispose()


def _select_one(session: Session) -> None:
    session.execute(text("SELECT 1"))


def _first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(original).__name__


def _create_engine(url: str) -> Engine:
    """An engine for any SQLAlchemy URL; a SQLite file's directory is created first."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise StoreError(f"storage.url is not a database URL: {error}") from None
    backend = parsed.get_backend_name()
    if backend != "sqlite":
        connect_args: dict[str, object] = {}
        if backend == "postgresql":
            # UTC sessions: timestamps come back the same whatever the server's time zone
            connect_args = {"connect_timeout": CONNECT_TIMEOUT, "options": "-c timezone=UTC"}
        try:
            # pre-ping: connections a restarted server dropped are replaced at checkout
            return create_engine(
                url,
                pool_pre_ping=True,
                pool_size=STORE_THREADS,
                max_overflow=POOL_OVERFLOW,
                connect_args=connect_args,
            )
        except ImportError as error:
            raise StoreError(
                f"storage.url {parsed.render_as_string()} needs its driver ({error.name}): "
                "pip install 'khulasa[postgres]'"
            ) from None
        except ArgumentError as error:
            raise StoreError(f"storage.url {parsed.render_as_string()}: {error}") from None
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        try:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot create the directory for {database}: {error}") from None
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT}
        )
    else:
        engine = create_engine(url, connect_args={"check_same_thread": False}, poolclass=StaticPool)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection, _record) -> None:  # noqa: ANN001
    """Foreign keys (ON DELETE rules) are off in SQLite unless asked for."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config() -> AlembicConfig:
    """Alembic's config built in code: the migrations ship inside the package, no alembic.ini."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine: Engine) -> None:
    """Brings the schema to the newest migration (a no-op when it is already there)."""
    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # processes starting together (a bot and its workers) migrate one after another
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    log.debug("database schema at head: %s", engine.url.render_as_string(hide_password=True))
