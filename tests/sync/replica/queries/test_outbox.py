"""The outbox table's named queries."""

from __future__ import annotations

from sync.clock import to_sqlite, utcnow
from sync.replica.queries import outbox
from tests.core import conftest as core

replica = core.replica  # the core tests' fixture: a fresh replica in tmp_path


def queue(replica, *kinds):
    with replica.session() as s:
        for n, kind in enumerate(kinds):
            outbox.insert(s, kind, f"ref-{n}", "{}", to_sqlite(utcnow()))


def test_pending_rows_are_unsent_rows_of_one_kind_oldest_first(replica):
    queue(replica, "walkin", "checkin", "checkin", "walkin", "checkin")
    with replica.session() as s:
        s.connection().exec_driver_sql("UPDATE outbox SET sent_at = '2026-01-01 00:00:00' WHERE ref_id = 'ref-2'")
    with replica.session(write=False) as s:
        rows = outbox.pending_rows(s, "checkin", limit=10, after=0)
        assert [r.ref_id for r in rows] == ["ref-1", "ref-4"]
        assert rows[0]._fields == ("id", "kind", "ref_id", "payload_json", "attempts")
        assert [r.ref_id for r in outbox.pending_rows(s, "checkin", limit=1, after=0)] == ["ref-1"]
        assert [r.ref_id for r in outbox.pending_rows(s, "checkin", limit=10, after=rows[0].id)] == ["ref-4"]
        assert [r.ref_id for r in outbox.pending_rows(s, "checkin", limit=10, after=0, before=rows[1].id)] == ["ref-1"]
        assert outbox.pending_count(s) == 4


def test_first_pending_id(replica):
    with replica.session(write=False) as s:
        assert outbox.first_pending_id(s, "walkin") is None
    queue(replica, "checkin", "walkin", "walkin")
    with replica.session(write=False) as s:
        first = outbox.first_pending_id(s, "walkin")
        assert [r.id for r in outbox.pending_rows(s, "walkin", 10, 0)][0] == first
