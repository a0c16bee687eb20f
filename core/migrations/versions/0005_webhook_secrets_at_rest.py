"""webhook secrets encrypted at rest

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 21:40:00.000000

No schema change: each entry of `webhook_subscriptions.secrets` that is still plain text is
encrypted under the key derived from CLEARVIEW_SECRET_KEY (`core.secrets_at_rest`, which
the services use too). Downgrade decrypts them again.
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from core.secrets_at_rest import SecretBox, configured_box, is_sealed

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The table as this revision knows it, not the application's model (which may move on).
subscriptions = sa.table(
    "webhook_subscriptions", sa.column("id", sa.String(32)), sa.column("secrets", sa.JSON)
)


def _rewrite(change: Callable[[str], str]) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(subscriptions.c.id, subscriptions.c.secrets)).all()
    for subscription_id, stored in rows:
        new = [change(entry) for entry in stored]
        if new != stored:
            connection.execute(
                subscriptions.update()
                .where(subscriptions.c.id == subscription_id)
                .values(secrets=new)
            )


def upgrade() -> None:
    box: SecretBox = configured_box()
    _rewrite(lambda entry: entry if is_sealed(entry) else box.seal(entry))


def downgrade() -> None:
    _rewrite(configured_box().open)
