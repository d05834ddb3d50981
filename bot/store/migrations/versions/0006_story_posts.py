"""Story posts: a delivery is one per (destination, story), and what its edits need.

`deliveries.story_id` is backfilled from the delivered article's story. Where two existing rows
of one destination share a story (possible only if articles were grouped before this revision),
the oldest carries it and the others keep NULL: every existing row stays valid and the story is
still recorded as posted there. `listed_sources` is how many distinct sources the sent post
shows (1 for every earlier post: its own); `edit_state` stops edits of a post that is gone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_story_posts"
down_revision = "0005_stories"

INDEX = "uq_deliveries_story"


def upgrade() -> None:
    with op.batch_alter_table("deliveries", recreate="never") as batch:
        batch.add_column(sa.Column("story_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("listed_sources", sa.Integer(), nullable=False, server_default="1")
        )
        batch.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("edit_state", sa.String(16), nullable=False, server_default="open")
        )
    op.execute(
        "UPDATE deliveries SET story_id = "
        "(SELECT articles.story_id FROM articles WHERE articles.id = deliveries.article_id) "
        "WHERE id IN (SELECT MIN(d.id) FROM deliveries d JOIN articles a ON a.id = d.article_id "
        "GROUP BY d.platform, d.chat_id, d.thread_id, a.story_id)"
    )
    op.create_index(
        INDEX, "deliveries", ["platform", "chat_id", "thread_id", "story_id"], unique=True
    )


def downgrade() -> None:
    op.drop_index(INDEX, "deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("edit_state")
        batch.drop_column("edited_at")
        batch.drop_column("listed_sources")
        batch.drop_column("story_id")
