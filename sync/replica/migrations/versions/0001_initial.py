"""Initial replica schema: events, keys, roster, check-in log, outbox, sync state, search index.

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
    )
    op.create_table(
        "signing_keys",
        sa.Column("key_id", sa.String(64), primary_key=True),
        sa.Column("event_id", sa.String(64), sa.ForeignKey("events.id"), nullable=False),
        sa.Column("public_key", sa.String(128), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    op.create_table(
        "revoked_tickets",
        sa.Column("event_id", sa.String(64), sa.ForeignKey("events.id"), primary_key=True),
        sa.Column("ticket_code", sa.String(128), primary_key=True),
        sa.Column("reason", sa.String(200), nullable=False, server_default=""),
    )
    op.create_table(
        "attendees",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("event_id", sa.String(64), sa.ForeignKey("events.id"), nullable=False),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False, server_default=""),
        sa.Column("email", sa.String(254)),
        sa.Column("status", sa.String(16), nullable=False, server_default="confirmed"),
        sa.Column("ticket_code", sa.String(128), nullable=False),
        sa.Column("ticket_type", sa.String(64), nullable=False, server_default="General"),
        sa.Column("plus_ones", sa.Integer, nullable=False, server_default="0"),
        sa.Column("is_walkin", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("merged_into_id", sa.String(36)),
        sa.Column("server_seq", sa.Integer),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("inside", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("arrival_id", sa.String(36)),
        sa.UniqueConstraint("event_id", "ticket_code", name="uq_attendees_event_code"),
    )
    op.create_index("ix_attendees_event_email", "attendees", ["event_id", "email"])
    op.create_table(
        "checkins",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("attendee_id", sa.String(36)),
        sa.Column("scanned_code", sa.String(128), nullable=False, server_default=""),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("result", sa.String(32), nullable=False),
        sa.Column("undoes_id", sa.String(36)),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("door", sa.String(100), nullable=False, server_default=""),
        sa.Column("operator", sa.String(100), nullable=False, server_default=""),
        sa.Column("device_time", sa.DateTime, nullable=False),
        sa.Column("server_seq", sa.Integer),
        sa.Column("server_received_at", sa.DateTime),
        sa.Column("duplicate", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("flag", sa.String(64), nullable=False, server_default=""),
    )
    op.create_index("ix_checkins_attendee", "checkins", ["attendee_id"])
    op.create_index("ix_checkins_undoes", "checkins", ["undoes_id"])
    op.create_index("ix_checkins_event_time", "checkins", ["event_id", "device_time"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref_id", sa.String(36), nullable=False),
        sa.Column("payload_json", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=False, server_default=""),
        sa.Column("sent_at", sa.DateTime),
    )
    op.create_index("ix_outbox_sent_at", "outbox", ["sent_at"])
    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )

    # Full-text index over names and e-mail for search-as-you-type: diacritics
    # folded, case-insensitive, prefix indexes for the first characters typed.
    # Kept in step with `attendees` by triggers, whoever writes the row.
    op.execute(
        "CREATE VIRTUAL TABLE attendee_search USING fts5("
        "name, email, content='attendees', content_rowid='rowid', "
        "tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')"
    )
    op.execute(
        "CREATE TRIGGER attendees_ai AFTER INSERT ON attendees BEGIN "
        "INSERT INTO attendee_search(rowid, name, email) "
        "VALUES (new.rowid, new.first_name || ' ' || new.last_name, coalesce(new.email, '')); END"
    )
    op.execute(
        "CREATE TRIGGER attendees_ad AFTER DELETE ON attendees BEGIN "
        "INSERT INTO attendee_search(attendee_search, rowid, name, email) "
        "VALUES ('delete', old.rowid, old.first_name || ' ' || old.last_name, coalesce(old.email, '')); END"
    )
    op.execute(
        "CREATE TRIGGER attendees_au AFTER UPDATE OF first_name, last_name, email ON attendees BEGIN "
        "INSERT INTO attendee_search(attendee_search, rowid, name, email) "
        "VALUES ('delete', old.rowid, old.first_name || ' ' || old.last_name, coalesce(old.email, '')); "
        "INSERT INTO attendee_search(rowid, name, email) "
        "VALUES (new.rowid, new.first_name || ' ' || new.last_name, coalesce(new.email, '')); END"
    )


def downgrade() -> None:
    for trigger in ("attendees_ai", "attendees_ad", "attendees_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS attendee_search")
    for table in ("sync_state", "outbox", "checkins", "attendees", "revoked_tickets", "signing_keys", "events"):
        op.drop_table(table)
