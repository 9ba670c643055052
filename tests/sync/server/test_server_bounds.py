"""Every number a client sends is bounded: out of range is a 422 envelope, never a 500 (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import httpx

from sync.clock import utcnow
from tests.sync.server.support import checkin, iso, walkin

HUGE = [2**31, 2**63, 2**64, 2**70, 10**30, -(2**63) - 1]
BEYOND_64_BITS = [2**63, 2**64, 2**70, 10**30, -1]  # a cursor is a 64-bit signed sequence number


def assert_refused(status: int, reply: dict, what) -> None:
    assert status == 422, (what, status, reply)
    assert reply["success"] is False and reply["data"] is None, what
    assert reply["error"]["code"] == "validation_error" and reply["error"]["message"], what
    assert reply["meta"]["server_time"].endswith("Z"), what


def test_out_of_range_cursors_and_limits_are_refused(setup):
    ev = setup.event_id
    for api in (setup.device, setup.organizer):
        for path in (f"/events/{ev}/checkins", f"/events/{ev}/attendees"):
            for name, value in [("cursor", n) for n in BEYOND_64_BITS] + [("limit", n) for n in HUGE + [0, -1]]:
                status, reply = api.get(path, **{name: value})
                assert_refused(status, reply, (path, name, value))
    # The largest cursor there can be is still a cursor: an empty page, not an error.
    page = setup.device.data("get", f"/events/{ev}/checkins", cursor=2**63 - 1)
    assert page["items"] == [] and page["next_cursor"] == 2**63 - 1
    page = setup.device.data("get", f"/events/{ev}/attendees", cursor=2**63 - 1)
    assert page["items"] == [] and page["has_more"] is False


def test_out_of_range_numbers_in_bodies_are_refused(setup):
    ev, device, organizer = setup.event_id, setup.device, setup.organizer
    now = iso(utcnow())
    for value in HUGE:
        status, reply = device.post("/devices/heartbeat", {"outbox_size": value, "device_time": now})
        assert_refused(status, reply, ("outbox_size", value))
        status, reply = organizer.post(f"/events/{ev}/enrollment-codes", {"ttl_minutes": value})
        assert_refused(status, reply, ("ttl_minutes", value))
        status, reply = organizer.post("/events", {"name": "Big", "venue_capacity": value})
        assert_refused(status, reply, ("venue_capacity", value))
        status, reply = device.post(f"/events/{ev}/rsvp", dict(walkin(ev, "Wal", None, "WALK-0001"), plus_ones=value))
        assert_refused(status, reply, ("plus_ones", value))
    for value in (0, -5):
        status, reply = organizer.post(f"/events/{ev}/enrollment-codes", {"ttl_minutes": value})
        assert_refused(status, reply, ("ttl_minutes", value))
    # The largest outbox a kiosk may report is stored and shown.
    device.data("post", "/devices/heartbeat", {"outbox_size": 2**31 - 1, "device_time": now})
    (shown,) = organizer.data("get", f"/events/{ev}/stats")["devices"]
    assert shown["outbox_size"] == 2**31 - 1


def test_numbers_no_parser_should_read_are_refused(setup):
    headers = {"Authorization": setup.device.http.headers["Authorization"], "Content-Type": "application/json"}
    bodies = [
        '{"outbox_size": ' + "9" * 5000 + ', "device_time": "%s"}' % iso(utcnow()),  # beyond int parsing limits
        '{"outbox_size": 1e400, "device_time": "%s"}' % iso(utcnow()),
        '{"outbox_size": NaN, "device_time": "%s"}' % iso(utcnow()),
        '{"outbox_size": 0, "device_time": "%s", "door": ' % iso(utcnow()) + "[" * 100_000 + "]" * 100_000 + "}",
    ]
    for body in bodies:
        response = httpx.post(f"{setup.server.url}/api/v1/devices/heartbeat", content=body, headers=headers, timeout=30)
        assert_refused(response.status_code, response.json(), body[:60])


def test_times_out_of_range_are_refused(setup):
    ev = setup.event_id
    for moment in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "99999-01-01T00:00:00Z"):
        status, reply = setup.device.post(f"/events/{ev}/checkins", {"items": [dict(checkin(ev, "ADA-0001"),
            device_time=moment)]})
        assert_refused(status, reply, moment)
        status, reply = setup.device.post("/devices/heartbeat", {"device_time": moment})
        assert_refused(status, reply, moment)


def test_event_settings_hold_only_sane_json(setup):
    for settings in ({"n": 2**70}, {"deep": json.loads("[" * 500 + "]" * 500)}):
        status, reply = setup.organizer.post("/events", {"name": "Odd", "settings": settings})
        assert_refused(status, reply, str(settings)[:40])


def test_text_no_database_can_store_is_refused(setup):
    ev, device, organizer = setup.event_id, setup.device, setup.organizer
    for field in ("door", "operator", "ticket_code"):
        status, reply = device.post(f"/events/{ev}/checkins", {"items": [dict(checkin(ev, "ADA-0001"),
            **{field: "A\x00B"})]})
        assert_refused(status, reply, field)
    status, reply = device.post(f"/events/{ev}/rsvp", walkin(ev, "Wal\x00ter", None, "WALK-0001"))
    assert_refused(status, reply, "walk-in first_name")
    status, reply = device.post("/devices/heartbeat", {"door": "\x00", "device_time": iso(utcnow())})
    assert_refused(status, reply, "heartbeat door")
    status, reply = organizer.post("/events", {"name": "Nul", "settings": {"k\x00": "v"}})
    assert_refused(status, reply, "settings key")
    lone_surrogate = b'{"name": "Lone", "settings": {"k": "\\ud800"}}'
    status, reply = organizer.post("/events", content=lone_surrogate, headers={"Content-Type": "application/json"})
    assert_refused(status, reply, "settings surrogate")
    for path in ("/events/ev%00x", "/events/%20x/checkins", "/events/" + "e" * 65):
        status, reply = organizer.get(path)
        assert_refused(status, reply, path)
    status, reply = organizer.delete("/devices/dev%00a")
    assert_refused(status, reply, "device id")


def test_everything_a_kiosk_may_record_is_stored_at_the_bounds(setup):
    """Text at each bound of sync.limits, in characters of up to four bytes, is stored and read back whole."""
    from sync import limits

    ev = setup.event_id
    door, operator = "😀" * limits.MAX_DOOR_CHARS, "é" * limits.MAX_OPERATOR_CHARS
    refused_code = "漢" * limits.MAX_TICKET_CODE_CHARS  # the scanned text kept of an unknown code
    scan = dict(checkin(ev, refused_code, result="unknown_code", door=door), operator=operator)
    assert setup.device.data("post", f"/events/{ev}/checkins", {"items": [scan]})["results"][0]["status"] == "accepted"
    (stored,) = setup.device.data("get", f"/events/{ev}/checkins")["items"]
    assert (stored["door"], stored["operator"], stored["ticket_code"]) == (door, operator, refused_code)

    name = "Ñ" * limits.MAX_NAME_CHARS
    email = "a" * (limits.MAX_EMAIL_CHARS - len("@example.org")) + "@example.org"
    made = dict(walkin(ev, name, email, "W" * limits.MAX_TICKET_CODE_CHARS), last_name=name,
                ticket_type="t" * limits.MAX_TICKET_TYPE_CHARS, plus_ones=limits.MAX_PLUS_ONES)
    verdict = setup.device.data("post", f"/events/{ev}/rsvp", made)
    assert verdict["status"] == "accepted"
    attendee = verdict["attendee"]
    assert (attendee["first_name"], attendee["last_name"], attendee["email"]) == (name, name, email)
    assert (attendee["ticket_code"], attendee["plus_ones"]) == (made["ticket_code"], limits.MAX_PLUS_ONES)
    setup.device.data("post", "/devices/heartbeat", {"door": door, "device_time": iso(utcnow()),
                                                     "app_version": "v" * limits.MAX_APP_VERSION_CHARS})
