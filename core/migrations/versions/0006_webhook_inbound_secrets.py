"""separate inbound webhook secrets

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 23:00:00.000000

`webhook_subscriptions.inbound_secrets`: what partners sign inbound webhooks with, apart
from the secrets we sign deliveries with. A subscription that exists already gets a copy of
its (encrypted) signing secrets, so its partner keeps working until the inbound secret is
rotated (`POST /api/v1/webhooks/subscriptions/{id}/rotate-inbound`), which separates them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inbound_secrets", sa.JSON(), nullable=True))
    op.execute("UPDATE webhook_subscriptions SET inbound_secrets = secrets")
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.alter_column("inbound_secrets", existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.drop_column("inbound_secrets")
