"""The check-in log keeps why a supervisor forced an entry past the door rules (``reason``).

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("checkins", sa.Column("reason", sa.String(200)))


def downgrade() -> None:
    with op.batch_alter_table("checkins") as batch:
        batch.drop_column("reason")
