"""Index attendees by arrival: the dashboard's per-door and per-5-minute figures start from arrivals.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_attendees_event_arrival", "attendees", ["event_id", "arrival_id"])


def downgrade() -> None:
    op.drop_index("ix_attendees_event_arrival", "attendees")
