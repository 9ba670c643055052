"""The bounds are declared once (sync.limits): what a kiosk may record, the server accepts and stores.

A kiosk refuses anything beyond a bound (its settings, command line, forms and the roster CSV
reader); the wire schemas the server validates with accept at least up to the bound; the
server's and the replica's columns hold exactly the bound.
"""

from __future__ import annotations

import pytest

from sync import limits, wire
from sync.replica import models as replica
from sync.roster_csv import MAX_LENGTHS, MAX_PLUS_ONES, parse_roster
from sync.server import models as server

# (wire request model, field) -> the bound it must accept (characters, or the largest number).
WIRE_BOUNDS = {
    (wire.CheckinItem, "door"): limits.MAX_DOOR_CHARS,
    (wire.CheckinItem, "operator"): limits.MAX_OPERATOR_CHARS,
    (wire.CheckinItem, "ticket_code"): limits.MAX_TICKET_CODE_CHARS,
    (wire.CheckinItem, "result"): limits.MAX_RESULT_CHARS,
    (wire.CheckinItem, "device_id"): limits.MAX_IDENTIFIER_CHARS,
    (wire.CheckinItem, "event_id"): limits.MAX_IDENTIFIER_CHARS,
    (wire.CheckinItem, "attendee_id"): limits.MAX_ATTENDEE_ID_CHARS,
    (wire.CheckinItem, "reason"): limits.MAX_OVERRIDE_REASON_CHARS,
    (wire.WalkinItem, "first_name"): limits.MAX_NAME_CHARS,
    (wire.WalkinItem, "last_name"): limits.MAX_NAME_CHARS,
    (wire.WalkinItem, "email"): limits.MAX_EMAIL_CHARS,
    (wire.WalkinItem, "ticket_code"): limits.MAX_TICKET_CODE_CHARS,
    (wire.WalkinItem, "ticket_type"): limits.MAX_TICKET_TYPE_CHARS,
    (wire.WalkinItem, "plus_ones"): limits.MAX_PLUS_ONES,
    (wire.WalkinItem, "id"): limits.MAX_ATTENDEE_ID_CHARS,
    (wire.HeartbeatRequest, "door"): limits.MAX_DOOR_CHARS,
    (wire.HeartbeatRequest, "app_version"): limits.MAX_APP_VERSION_CHARS,
    (wire.EnrollRequest, "name"): limits.MAX_DEVICE_NAME_CHARS,
    (wire.EnrollRequest, "app_version"): limits.MAX_APP_VERSION_CHARS,
    (wire.EnrollRequest, "device_id"): limits.MAX_IDENTIFIER_CHARS,
    (wire.EnrollmentCodeRequest, "door"): limits.MAX_DOOR_CHARS,
    (wire.EnrollmentCodeRequest, "name"): limits.MAX_DEVICE_NAME_CHARS,
    (wire.EnrollmentCodeRequest, "ttl_minutes"): limits.MAX_ENROLLMENT_TTL_MINUTES,
    (wire.CreateEventRequest, "name"): limits.MAX_EVENT_NAME_CHARS,
    (wire.CreateEventRequest, "venue_capacity"): limits.MAX_VENUE_CAPACITY,
    (wire.RevocationRequest, "ticket_code"): limits.MAX_TICKET_CODE_CHARS,
    (wire.RevocationRequest, "reason"): limits.MAX_REVOCATION_REASON_CHARS,
}

# (table, column) -> its length: exactly the bound, so whatever passes the bound fits.
COLUMN_BOUNDS = {
    (server.CheckinRow, "door"): limits.MAX_DOOR_CHARS,
    (server.CheckinRow, "operator"): limits.MAX_OPERATOR_CHARS,
    (server.CheckinRow, "ticket_code"): limits.MAX_TICKET_CODE_CHARS,
    (server.CheckinRow, "result"): limits.MAX_RESULT_CHARS,
    (server.CheckinRow, "device_id"): limits.MAX_IDENTIFIER_CHARS,
    (server.CheckinRow, "flag"): limits.MAX_FLAG_CHARS,
    (server.CheckinRow, "reason"): limits.MAX_OVERRIDE_REASON_CHARS,
    (server.AttendeeRow, "first_name"): limits.MAX_NAME_CHARS,
    (server.AttendeeRow, "last_name"): limits.MAX_NAME_CHARS,
    (server.AttendeeRow, "email"): limits.MAX_EMAIL_CHARS,
    (server.AttendeeRow, "ticket_code"): limits.MAX_TICKET_CODE_CHARS,
    (server.AttendeeRow, "ticket_type"): limits.MAX_TICKET_TYPE_CHARS,
    (server.DeviceRow, "door"): limits.MAX_DOOR_CHARS,
    (server.DeviceRow, "name"): limits.MAX_DEVICE_NAME_CHARS,
    (server.DeviceRow, "app_version"): limits.MAX_APP_VERSION_CHARS,
    (server.EventRow, "name"): limits.MAX_EVENT_NAME_CHARS,
    (server.RevocationRow, "reason"): limits.MAX_REVOCATION_REASON_CHARS,
    (replica.Checkin, "door"): limits.MAX_DOOR_CHARS,
    (replica.Checkin, "operator"): limits.MAX_OPERATOR_CHARS,
    (replica.Checkin, "scanned_code"): limits.MAX_TICKET_CODE_CHARS,
    (replica.Checkin, "result"): limits.MAX_RESULT_CHARS,
    (replica.Checkin, "reason"): limits.MAX_OVERRIDE_REASON_CHARS,
    (replica.Attendee, "first_name"): limits.MAX_NAME_CHARS,
    (replica.Attendee, "last_name"): limits.MAX_NAME_CHARS,
    (replica.Attendee, "email"): limits.MAX_EMAIL_CHARS,
    (replica.Attendee, "ticket_code"): limits.MAX_TICKET_CODE_CHARS,
    (replica.Attendee, "ticket_type"): limits.MAX_TICKET_TYPE_CHARS,
}


def _largest(schema: dict) -> int | None:
    """The maxLength or maximum a property's JSON schema allows (through anyOf), None if unbounded."""
    for key in ("maxLength", "maximum"):
        if key in schema:
            return schema[key]
    found = [_largest(option) for option in schema.get("anyOf", [])]
    found = [bound for bound in found if bound is not None]
    return max(found) if found else None


@pytest.mark.parametrize(("model", "field"), list(WIRE_BOUNDS), ids=lambda x: getattr(x, "__name__", x))
def test_the_server_accepts_every_value_within_the_bounds(model, field):
    allowed = _largest(model.model_json_schema()["properties"][field])
    assert allowed is not None, f"{model.__name__}.{field} is unbounded"
    assert allowed >= WIRE_BOUNDS[model, field], (
        f"{model.__name__}.{field} refuses what a kiosk may record: take the bound from sync.limits")


@pytest.mark.parametrize(("table", "column"), list(COLUMN_BOUNDS), ids=lambda x: getattr(x, "__name__", x))
def test_columns_hold_exactly_the_bound(table, column):
    assert table.__table__.c[column].type.length == COLUMN_BOUNDS[table, column]


def test_the_roster_reader_refuses_beyond_the_bounds_and_keeps_values_at_them():
    assert MAX_LENGTHS == {
        "first_name": limits.MAX_NAME_CHARS, "last_name": limits.MAX_NAME_CHARS, "email": limits.MAX_EMAIL_CHARS,
        "ticket_code": limits.MAX_TICKET_CODE_CHARS, "ticket_type": limits.MAX_TICKET_TYPE_CHARS,
    }
    assert MAX_PLUS_ONES == limits.MAX_PLUS_ONES
    name, code = "É" * limits.MAX_NAME_CHARS, "T" * limits.MAX_TICKET_CODE_CHARS
    local = "a" * (limits.MAX_EMAIL_CHARS - len("@example.org"))
    header = "first_name,last_name,email,ticket_code,ticket_type,plus_ones"
    rows = [
        f"{name},{name},{local}@example.org,{code},{'t' * limits.MAX_TICKET_TYPE_CHARS},{limits.MAX_PLUS_ONES}",
        f"{name}x,B,b@example.org,T-0002,,",
        f"A,B,c@example.org,{code}X,,",
        f"A,B,d@example.org,T-0004,{'t' * (limits.MAX_TICKET_TYPE_CHARS + 1)},",
        f"A,B,e@example.org,T-0005,,{limits.MAX_PLUS_ONES + 1}",
    ]
    result = parse_roster("\n".join([header, *rows]).encode("utf-8"))
    assert [row.ticket_code for row in result.rows] == [code]
    assert (result.rows[0].first_name, result.rows[0].plus_ones) == (name, limits.MAX_PLUS_ONES)
    assert sorted(error.line for error in result.errors) == [3, 4, 5, 6]
