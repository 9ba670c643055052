"""The attendees table's named queries: the door's reads, walk-ins, the headline counts."""

from __future__ import annotations

from types import SimpleNamespace

from sync.clock import to_sqlite, utcnow
from sync.replica.queries import attendees, raw
from tests.core import conftest as core

roster_replica = core.roster_replica  # the core tests' fixture: five attendees of evt-1
replica = core.replica


def test_the_door_reads(roster_replica):
    with roster_replica.session(write=False) as s:
        db = raw(s)
        ada = attendees.by_code(db, "evt-1", "ADA-0001")
        assert ada.full_name == "Ada Lovelace" and ada.inside is False and ada.is_walkin is False
        assert attendees.by_id(db, ada.id) == ada
        assert attendees.by_code(db, "evt-2", "ADA-0001") is None
        assert [a.ticket_code for a in attendees.all_by_email(db, "evt-1", "grace@example.org")] == ["GRACE-0002"]
        assert attendees.code_in_any_event(db, "ADA-0001") and not attendees.code_in_any_event(db, "NOPE")
        assert attendees.code_in_event(db, "evt-1", "ADA-0001") and not attendees.code_in_event(db, "x", "ADA-0001")
        assert attendees.arrival_id(db, ada.id) is None
        assert attendees.count_all(db) == 5
        assert attendees.headline_counts(db, "evt-1") == {"expected": 3, "inside": 0, "walkins": 0, "cancelled": 1}
        assert attendees.headline_counts(db, "evt-2") == {"expected": 0, "inside": 0, "walkins": 0, "cancelled": 0}


def test_a_walkin_row(roster_replica):
    walkin = SimpleNamespace(id="w-1", event_id="evt-1", first_name="Kat", last_name="J", email="kat@example.org",
                             ticket_code="W-AAAA", ticket_type="Walk-in", plus_ones=0)
    with roster_replica.session() as s:
        attendees.insert_walkin(s, walkin, to_sqlite(utcnow()))
        attendees.set_cached_state(s, "w-1", True, None)
    with roster_replica.session(write=False) as s:
        row = attendees.by_id(s, "w-1")
        assert row.is_walkin is True and row.status == "confirmed" and row.inside is True
        assert attendees.headline_counts(s, "evt-1")["walkins"] == 1
        assert attendees.headline_counts(s, "evt-1")["expected"] == 3  # walk-ins were not expected


def test_a_signed_tickets_holder(roster_replica):
    with roster_replica.session() as s:
        row = attendees.insert_ticket_holder(s, "a-9", "evt-1", "Mary", "Jackson", "SIGNED-9", to_sqlite(utcnow()))
    assert row.full_name == "Mary Jackson" and row.status == "confirmed" and row.ticket_type == "General"
    assert row.email is None and row.inside is False and row.is_walkin is False
