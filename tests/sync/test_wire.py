"""The wire schemas take exactly what the kiosk queues, and refuse what they should."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from kiosk.core.desk import CheckinDesk
from kiosk.core.walkins import register_walkin
from sync import wire
from sync.clock import utcnow
from sync.replica import open_replica
from sync.replica.models import Attendee, Event, OutboxItem


@pytest.fixture
def replica(tmp_path):
    replica = open_replica(tmp_path / "data")
    now = utcnow()
    with replica.session() as s:
        s.add(Event(id="evt-1", name="Conf"))
        s.flush()
        s.add(Attendee(id="a-1", event_id="evt-1", first_name="Ada", last_name="Lovelace", email="ada@example.org",
                       ticket_code="ADA-0001", created_at=now, updated_at=now))
    replica.set_state("event_id", "evt-1")
    yield replica
    replica.close()


def queued(replica, kind):
    with replica.session(write=False) as s:
        return [json.loads(row.payload_json) for row in s.scalars(select(OutboxItem).where(OutboxItem.kind == kind))]


def test_every_queued_checkin_validates_and_round_trips(replica):
    desk = CheckinDesk(replica, door="Door 1", operator="sam")
    desk.scan("ADA-0001")
    desk.scan("ADA-0001")  # already checked in: a refused scan is queued too
    desk.scan("NOPE-0000")
    desk.scan("")  # malformed: empty code
    desk.scan("ADA-0001", "exit")
    desk.undo("ADA-0001")
    items = queued(replica, "checkin")
    assert len(items) == 6
    batch = wire.CheckinBatch.model_validate({"items": items})
    assert [i.kind for i in batch.items] == ["entry", "entry", "entry", "entry", "exit", "undo"]
    assert json.loads(batch.model_dump_json()) == {"items": items}  # nothing lost or reshaped on the way


def test_every_queued_walkin_validates_and_round_trips(replica):
    assert register_walkin(replica, "Wanda", "Walker", "Wanda@Example.org", door="Door 1").created
    assert register_walkin(replica, "Noemail", "", None, door="Door 1").created
    items = queued(replica, "walkin")
    assert len(items) == 2
    batch = wire.WalkinBatch.model_validate({"items": items})
    assert json.loads(batch.model_dump_json()) == {"items": items}
    wire.CheckinBatch.model_validate({"items": queued(replica, "checkin")})


@pytest.mark.parametrize("change", [
    {"kind": "walk"}, {"id": "1234"}, {"device_time": "not a time"}, {"door": "x" * 101},
    {"ticket_code": "x" * 129}, {"result": "Admitted!"}, {"extra": 1}, {"event_id": ""},
])
def test_checkin_item_is_strict(change):
    good = {"id": "0b4f5d0e-1111-4222-8333-944445555666", "event_id": "evt-1", "attendee_id": None,
            "ticket_code": "ADA-0001", "kind": "entry", "result": "admitted", "undoes_id": None,
            "device_id": "dev-1", "door": "", "operator": "", "device_time": "2026-05-01T09:00:00Z"}
    wire.CheckinItem.model_validate(good)
    with pytest.raises(ValidationError):
        wire.CheckinItem.model_validate(good | change)


def test_times_are_utc_on_the_wire():
    item = wire.CheckinItem.model_validate({
        "id": "0b4f5d0e-1111-4222-8333-944445555666", "event_id": "evt-1", "kind": "entry", "result": "admitted",
        "device_id": "dev-1", "device_time": "2026-05-01T11:00:00+02:00"})
    assert item.device_time == datetime(2026, 5, 1, 9, 0) and item.device_time.tzinfo is None
    assert json.loads(item.model_dump_json())["device_time"] == "2026-05-01T09:00:00Z"
    assert wire.format_utc(datetime(2026, 5, 1, 9, 0, tzinfo=timezone(timedelta(hours=-5)))) == "2026-05-01T14:00:00Z"


def test_batches_are_bounded():
    item = {"id": "0b4f5d0e-1111-4222-8333-944445555666", "event_id": "evt-1", "kind": "entry",
            "result": "admitted", "device_id": "dev-1", "device_time": "2026-05-01T09:00:00Z"}
    wire.CheckinBatch.model_validate({"items": [item] * wire.MAX_BATCH_ITEMS})
    with pytest.raises(ValidationError):
        wire.CheckinBatch.model_validate({"items": [item] * (wire.MAX_BATCH_ITEMS + 1)})


def test_unwrap_envelopes():
    meta = {"server_time": "2026-05-01T09:00:00Z"}
    healthy = {"success": True, "data": {"status": "ok", "database": True}, "meta": meta}
    data, got_meta = wire.unwrap(healthy, wire.Health)
    assert data.database and got_meta.server_time == datetime(2026, 5, 1, 9, 0)
    with pytest.raises(wire.WireError) as info:
        revoked = {"success": False, "error": {"code": "unauthorized", "message": "revoked"}, "meta": meta}
        wire.unwrap(revoked, wire.Health, 401)
    assert (info.value.code, info.value.message, info.value.status) == ("unauthorized", "revoked", 401)
    for garbage in (None, [], "<html>", {"success": True, "data": {"status": "maybe"}, "meta": meta},
                    {"success": True, "data": {}, "meta": {}}):
        with pytest.raises(wire.WireError) as info:
            wire.unwrap(garbage, wire.Health)
        assert info.value.code == "bad_reply"
    # Replies may grow new fields: an older client ignores them.
    grown = {"success": True, "data": {"status": "ok", "database": True, "new": 1}, "meta": meta}
    data, _ = wire.unwrap(grown, wire.Health)
    assert data.status == "ok"
