"""The Alembic migration builds exactly the schema the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.store import Store
from bot.store.models import Base


def test_migration_matches_the_models(database_url):
    store = Store(database_url)
    try:
        with store.db.engine.connect() as connection:
            diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diffs == []
        assert "alembic_version" in inspect(store.db.engine).get_table_names()
    finally:
        store.close()


def test_a_sqlite_file_gets_its_directory(tmp_path):
    path = tmp_path / "nested" / "dir" / "k.db"
    Store(f"sqlite:///{path}").close()
    assert path.is_file()


def test_opening_an_existing_database_keeps_its_rows(database_url):
    url = database_url
    first = Store(url)
    with first.db.session() as session:
        session.execute(Base.metadata.tables["settings"].insert().values(key="k", value="v"))
    first.close()
    second = Store(url)
    with second.db.session() as session:
        assert session.execute(Base.metadata.tables["settings"].select()).all() == [("k", "v")]
    second.close()
