"""Stories: a `stories` table, each article's story, vector and the model that made it.

Every existing article becomes a one-article story whose id is the article's id, started at
its publication time (fetch time when unknown), so a bot upgraded mid-stream keeps posting
what it already posted, once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_stories"
down_revision = "0004_subscription_images"


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stories_started_at", "stories", ["started_at"])
    _add_story_column()
    with op.batch_alter_table("articles", recreate="never") as batch:
        batch.add_column(sa.Column("story_seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("embedding", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("embedding_model", sa.Text(), nullable=True))
        batch.create_index("ix_articles_story_id", ["story_id"])
        batch.create_index("ix_articles_story_seq", ["story_seq"])
    op.execute(
        "INSERT INTO stories (id, started_at, created_at) "
        "SELECT id, COALESCE(published_at, fetched_at), CURRENT_TIMESTAMP FROM articles"
    )
    op.execute("UPDATE articles SET story_id = id, story_seq = id")
    if op.get_bind().dialect.name == "postgresql":
        # The ids were given explicitly: new stories must be numbered after them.
        op.execute(
            "SELECT setval(pg_get_serial_sequence('stories', 'id'), "
            "COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM stories"
        )


def _add_story_column() -> None:
    """`articles.story_id` with its foreign key, as a plain ADD COLUMN on both engines.

    SQLite cannot ALTER a constraint, and the batch rebuild that would drops `articles`: with
    foreign keys on, that cascades to its summaries, deliveries and messages. A column
    added with an inline REFERENCES (NULL by default) is what SQLite allows instead.
    """
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE articles ADD COLUMN story_id INTEGER REFERENCES stories (id)")
        return
    op.add_column("articles", sa.Column("story_id", sa.Integer(), nullable=True))
    op.create_foreign_key("articles_story_id_fkey", "articles", "stories", ["story_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_index("ix_articles_story_seq")
        batch.drop_index("ix_articles_story_id")
        batch.drop_column("embedding_model")
        batch.drop_column("embedding")
        batch.drop_column("story_seq")
        batch.drop_column("story_id")
    op.drop_index("ix_stories_started_at", "stories")
    op.drop_table("stories")
