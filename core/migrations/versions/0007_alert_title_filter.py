"""job alerts limited to a job title

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 18:00:00.000000

`job_alerts.query`: "send me alerts for barista jobs" keeps only jobs whose title names
every word of it. Existing settings have none (every job their other settings pass).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("job_alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("query", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job_alerts", schema=None) as batch_op:
        batch_op.drop_column("query")
