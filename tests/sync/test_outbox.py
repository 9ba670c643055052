"""The outbox's items are the wire models': the keys queued are exactly the model's fields."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from kiosk.core.desk import CheckinDesk
from kiosk.core.walkins import register_walkin
from sync import outbox, wire
from sync.replica.models import OutboxItem
from tests.core import conftest as core
from tests.core.conftest import Clock, add_attendees, add_event

replica = core.replica  # the core tests' fixture: a fresh replica in tmp_path


def queued(replica, kind):
    with replica.session(write=False) as s:
        rows = s.query(OutboxItem).filter(OutboxItem.kind == kind).order_by(OutboxItem.id).all()
        return [json.loads(row.payload_json) for row in rows]


def test_a_scan_queues_exactly_the_fields_of_the_wire_checkin_item(replica):
    add_event(replica)
    add_attendees(replica, [("Ada", "Lovelace", "ada@example.org", "ADA-0001", "confirmed")])
    desk = CheckinDesk(replica, door="Door 1", operator="sam", clock=Clock())
    admitted = desk.scan("ADA-0001")
    desk.scan("NOBODY-0000")  # refused: queued too, with the code as scanned
    desk.undo("ADA-0001")
    items = queued(replica, outbox.CHECKIN)
    assert len(items) == 3
    for item in items:
        assert list(item) == list(wire.CheckinItem.model_fields)
        wire.CheckinItem.model_validate(item)  # what the sync engine checks before sending
    assert items[0]["id"] == admitted.checkin_id and items[0]["ticket_code"] == "ADA-0001"
    assert items[0]["device_time"].endswith("Z")
    assert items[1]["attendee_id"] is None and items[1]["ticket_code"] == "NOBODY-0000"
    assert items[2]["kind"] == "undo" and items[2]["undoes_id"] == admitted.checkin_id


def test_a_walkin_queues_exactly_the_fields_of_the_wire_walkin_item(replica):
    add_event(replica)
    outcome = register_walkin(replica, "Katherine", "Johnson", "Katherine@NASA.gov", clock=Clock())
    assert outcome.created
    (item,) = queued(replica, outbox.WALKIN)
    assert list(item) == list(wire.WalkinItem.model_fields)
    wire.WalkinItem.model_validate(item)
    assert item["id"] == outcome.attendee.id and item["email"] == "katherine@nasa.gov"
    assert item["first_name"] == "Katherine" and item["ticket_code"] == outcome.attendee.ticket_code
    (checkin,) = queued(replica, outbox.CHECKIN)
    assert checkin["attendee_id"] == item["id"]


def test_items_built_from_a_log_row_and_an_attendee_row(replica):
    from datetime import datetime

    moment = datetime(2026, 11, 23, 9, 0, 0)
    log_row = SimpleNamespace(id="6c7fd117-fed8-436b-92e0-0ff54fa46246", event_id="evt-1", attendee_id=None,
                              scanned_code="XYZ", kind="entry", result="unknown_code", undoes_id=None,
                              device_id="dev-1", door="D", operator="", device_time=moment, reason=None)
    item = json.loads(outbox.payload(outbox.checkin_item(log_row, None)))
    assert item["ticket_code"] == "XYZ" and item["device_time"] == "2026-11-23T09:00:00Z"
    assert list(item) == list(wire.CheckinItem.model_fields)
    attendee = SimpleNamespace(id="a-1", event_id="evt-1", first_name="Ada", last_name="L", email=None,
                               ticket_code="W-ABC", ticket_type="Walk-in", plus_ones=0, created_at=moment)
    walkin = json.loads(outbox.payload(outbox.walkin_item(attendee, "dev-1")))
    assert list(walkin) == list(wire.WalkinItem.model_fields)
    wire.WalkinItem.model_validate(walkin)


def test_an_item_with_a_field_missing_or_misspelt_is_refused():
    fields = dict(id="a-1", event_id="evt-1", first_name="Ada", last_name="L", email=None, ticket_code="W-ABC",
                  ticket_type="Walk-in", plus_ones=0, device_id="dev-1")
    with pytest.raises(TypeError, match="created_at"):
        outbox.new_walkin_item(**fields)
    with pytest.raises(TypeError, match="created_on"):
        outbox.new_walkin_item(created_on=None, **fields)
