"""A chat's pictures switch: `subscriptions.images`, on for every existing subscription."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_subscription_images"
down_revision = "0003_article_image"


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(
            sa.Column("images", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("images")
