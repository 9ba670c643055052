"""The check-in log's named queries, on a log the desk wrote."""

from __future__ import annotations

from sync.replica.queries import attendees, checkins, schema
from tests.core import conftest as core

desk = core.desk  # the core tests' fixtures: a desk over five attendees
roster_replica = core.roster_replica
replica = core.replica
clock = core.clock


def test_scans_history_and_figures(desk, roster_replica):
    first = desk.scan("ADA-0001")
    desk.scan("ADA-0001", "exit")
    desk.scan("ADA-0001")
    with roster_replica.session(write=False) as s:
        ada = attendees.by_code(s, "evt-1", "ADA-0001")
        history = checkins.history(s, ada.id)
        assert [h.result for h in history] == ["admitted", "exited", "admitted"]
        assert [h.id for h in history][0] == first.checkin_id
        assert {scan.id for scan in checkins.scans_of(s, ada.id)} == {h.id for h in history}
        when, door = checkins.time_and_door(s, first.checkin_id)
        assert door == "Door 1" and when == history[0].device_time
        assert checkins.arrivals(s, "evt-1") == [("Door 1", when)]
        assert checkins.duplicate_count(s, "evt-1") == 0
        assert schema.integrity_problems(s) == [] and schema.revision(s) == roster_replica.schema_revision()
