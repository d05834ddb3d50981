"""An article's lead picture: `articles.image_url`, nullable (older articles have none)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_article_image"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("image_url", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("image_url")
