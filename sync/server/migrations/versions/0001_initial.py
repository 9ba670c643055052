"""Initial server schema: events and their keys, roster, revocations, check-in log, devices, tokens.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("venue_capacity", sa.Integer),
        sa.Column("timezone", sa.String(64), nullable=False, server_default="UTC"),
        sa.Column("starts_at", sa.DateTime),
        sa.Column("status", sa.String(16), nullable=False, server_default="published"),
        sa.Column("settings_json", sa.Text, nullable=False, server_default="{}"),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_seq", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.create_table(
        "signing_keys",
        sa.Column("key_id", sa.String(64), primary_key=True),
        sa.Column("event_id", sa.String(64), sa.ForeignKey("events.id"), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("private_key", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_signing_keys_event_id", "signing_keys", ["event_id"])
    op.create_table(
        "attendees",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("event_id", sa.String(64), sa.ForeignKey("events.id"), nullable=False),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False, server_default=""),
        sa.Column("email", sa.String(254)),
        sa.Column("status", sa.String(16), nullable=False, server_default="confirmed"),
        sa.Column("status_changed_at", sa.DateTime),
        sa.Column("ticket_code", sa.String(128), nullable=False),
        sa.Column("ticket_type", sa.String(64), nullable=False, server_default="General"),
        sa.Column("plus_ones", sa.Integer, nullable=False, server_default="0"),
        sa.Column("is_walkin", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("merged_into_id", sa.String(36)),
        sa.Column("created_by_device", sa.String(64)),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("inside", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("arrival_id", sa.String(36)),
        sa.UniqueConstraint("event_id", "ticket_code", name="uq_attendees_event_code"),
        sa.UniqueConstraint("event_id", "seq", name="uq_attendees_event_seq"),
    )
    op.create_index("ix_attendees_event_email", "attendees", ["event_id", "email"])
    op.create_table(
        "revocations",
        sa.Column("event_id", sa.String(64), sa.ForeignKey("events.id"), primary_key=True),
        sa.Column("ticket_code", sa.String(128), primary_key=True),
        sa.Column("reason", sa.String(200), nullable=False, server_default=""),
        sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("event_id", "seq", name="uq_revocations_event_seq"),
    )
    op.create_table(
        "checkins",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("event_id", sa.String(64), sa.ForeignKey("events.id"), nullable=False),
        sa.Column("attendee_id", sa.String(36)),
        sa.Column("pushed_attendee_id", sa.String(36)),
        sa.Column("ticket_code", sa.String(128), nullable=False, server_default=""),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("result", sa.String(32), nullable=False),
        sa.Column("undoes_id", sa.String(36)),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("door", sa.String(100), nullable=False, server_default=""),
        sa.Column("operator", sa.String(100), nullable=False, server_default=""),
        sa.Column("device_time", sa.DateTime, nullable=False),
        sa.Column("received_at", sa.DateTime, nullable=False),
        sa.Column("pushed_by", sa.String(64)),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("duplicate", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("duplicate_of", sa.String(36)),
        sa.Column("flag", sa.String(64), nullable=False, server_default=""),
        sa.UniqueConstraint("event_id", "seq", name="uq_checkins_event_seq"),
    )
    op.create_index("ix_checkins_attendee", "checkins", ["attendee_id"])
    op.create_index("ix_checkins_pushed_attendee", "checkins", ["pushed_attendee_id"])
    op.create_table(
        "devices",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("event_id", sa.String(64), sa.ForeignKey("events.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False, server_default=""),
        sa.Column("door", sa.String(100), nullable=False, server_default=""),
        sa.Column("app_version", sa.String(32), nullable=False, server_default=""),
        sa.Column("enrolled_at", sa.DateTime, nullable=False),
        sa.Column("revoked_at", sa.DateTime),
        sa.Column("last_seen_at", sa.DateTime),
        sa.Column("last_sync_at", sa.DateTime),
        sa.Column("outbox_size", sa.Integer),
        sa.Column("clock_offset_seconds", sa.Float),
        sa.Column("last_pull_seq", sa.BigInteger),
    )
    op.create_index("ix_devices_event_id", "devices", ["event_id"])
    op.create_table(
        "enrollment_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("event_id", sa.String(64), sa.ForeignKey("events.id"), nullable=False),
        sa.Column("door", sa.String(100), nullable=False, server_default=""),
        sa.Column("name", sa.String(100), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("used_at", sa.DateTime),
        sa.Column("used_by", sa.String(64)),
    )
    op.create_table(
        "organizer_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("revoked_at", sa.DateTime),
    )


def downgrade() -> None:
    for table in ("organizer_tokens", "enrollment_codes", "devices", "checkins", "revocations",
                  "attendees", "signing_keys", "events"):
        op.drop_table(table)
