"""The database handle: one engine, migrated to the latest schema when the bot starts."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from bot.errors import StoreError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class Store:
    """Sessions over a migrated database; sync API, so async callers use `asyncio.to_thread`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _create_engine(url)
        # SQLite allows one writer: serializing sessions avoids "database is locked" under threads.
        self._lock: threading.RLock | None = (
            threading.RLock() if self.engine.dialect.name == "sqlite" else None
        )
        try:
            upgrade(self.engine)
        except SQLAlchemyError as error:
            raise StoreError(f"cannot migrate the database {self.safe_url}: {error}") from None
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def safe_url(self) -> str:
        """The URL with any password hidden, for logs and errors."""
        return make_url(self.url).render_as_string(hide_password=True)

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

    def close(self) -> None:
        """Releases every pooled connection."""
        self.engine.dispose()


def _create_engine(url: str) -> Engine:
    """An engine for any SQLAlchemy URL; a SQLite file's directory is created first."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise StoreError(f"storage.url is not a database URL: {error}") from None
    if parsed.get_backend_name() == "postgresql":
        # Timestamps come back in the session's time zone: make it UTC, whatever the server's.
        return create_engine(url, connect_args={"options": "-c timezone=UTC"})
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url)
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        try:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot create the directory for {database}: {error}") from None
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
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
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    log.debug("database schema at head: %s", engine.url.render_as_string(hide_password=True))
