"""Roster upload and the roster change feed: paging by seq, updates, cancellations, revocations, bad CSVs."""

from __future__ import annotations

from sync import wire
from sync.tickets import attendee_id_for
from tests.sync.server.conftest import ROSTER
from tests.sync.server.support import roster_csv

CSV = {"Content-Type": "text/csv"}


def pull_roster(api, event_id, cursor=0, limit=1000, **params):
    items = []
    while True:
        page = api.data("get", f"/events/{event_id}/attendees", cursor=cursor, limit=limit, **params)
        wire.RosterPage.model_validate(page)  # the client's own schema reads it
        items += page["items"]
        assert page["next_cursor"] >= cursor
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return items, cursor


def test_full_roster_pages_in_seq_order_with_stable_ids(setup):
    items, cursor = pull_roster(setup.device, setup.event_id, limit=2)
    assert [i["ticket_code"] for i in items] == [row[3] for row in ROSTER]
    assert all(i["type"] == "attendee" and i["signed_ticket"] is None for i in items)
    assert [i["seq"] for i in items] == sorted(i["seq"] for i in items)
    ada = items[0]
    assert ada["id"] == attendee_id_for(setup.event_id, "ADA-0001")
    assert (ada["first_name"], ada["last_name"], ada["email"], ada["status"]) == (
        "Ada", "Lovelace", "ada@example.org", "confirmed"
    )
    assert items[3]["status"] == "waitlisted" and items[4]["first_name"] == "Émilie"
    assert pull_roster(setup.device, setup.event_id, cursor)[0] == []
    event = setup.device.data("get", f"/events/{setup.event_id}")
    assert event["rsvp_count"] == 4 and event["high_water_seq"] >= cursor


def test_reimport_sends_only_changes_including_cancellations(setup):
    ev = setup.event_id
    _, cursor = pull_roster(setup.device, ev)
    changed = roster_csv([
        ("Ada", "Lovelace", "ada@example.org", "ADA-0001"),  # unchanged
        ("Grace", "Hopper", "grace@example.org", "GRACE-0002", "cancelled"),
        ("Alan", "Turing", "alan.turing@example.org", "ALAN-0003"),
        ("Barbara", "Liskov", "barbara@example.org", "BARBARA-0006"),
    ])
    report = setup.organizer.data("post", f"/events/{ev}/roster", content=changed, headers=CSV)
    assert report == {"created": 1, "updated": 2, "unchanged": 1, "problems": []}
    items, _ = pull_roster(setup.device, ev, cursor)
    by_code = {i["ticket_code"]: i for i in items}
    assert set(by_code) == {"GRACE-0002", "ALAN-0003", "BARBARA-0006"}
    assert by_code["GRACE-0002"]["status"] == "cancelled"
    assert by_code["ALAN-0003"]["email"] == "alan.turing@example.org"


def test_csv_without_status_column_leaves_status_alone(setup):
    ev = setup.event_id
    _, cursor = pull_roster(setup.device, ev)
    body = b"first_name,last_name,email,ticket_code\nEdsger,W. Dijkstra,edsger@example.org,EDSGER-0004\n"
    assert setup.organizer.data("post", f"/events/{ev}/roster", content=body, headers=CSV)["updated"] == 1
    (item,), _ = pull_roster(setup.device, ev, cursor)
    assert item["last_name"] == "W. Dijkstra" and item["status"] == "waitlisted"


def test_bad_rows_are_reported_by_line_and_good_rows_imported(setup):
    ev = setup.event_id
    body = (b"first_name,last_name,email,ticket_code\n"
            b"Good,Row,good@example.org,GOOD-0001\n"
            b",Nameless,nameless@example.org,NONAME-01\n"
            b"Bad,Email,not-an-email,BADMAIL-01\n")
    report = setup.organizer.data("post", f"/events/{ev}/roster", content=body, headers=CSV)
    assert report["created"] == 1
    problems = [(p["line"], "first name" in p["message"] or "email" in p["message"]) for p in report["problems"]]
    assert problems == [(3, True), (4, True)]


def test_a_family_sharing_one_email_is_imported_whole(setup):
    ev = setup.event_id
    _, cursor = pull_roster(setup.device, ev)
    body = (b"first_name,last_name,email,ticket_code\n"
            b"Eve,Example,family@example.org,FAM-0001\n"
            b"Evelyn,Example,FAMILY@example.org,FAM-0002\n"
            b"Ada,Junior,ada@example.org,FAM-0003\n")  # the e-mail of the roster's Ada too
    report = setup.organizer.data("post", f"/events/{ev}/roster", content=body, headers=CSV)
    assert report["created"] == 3 and report["problems"] == []
    items, _ = pull_roster(setup.device, ev, cursor)
    assert sorted(i["ticket_code"] for i in items) == ["FAM-0001", "FAM-0002", "FAM-0003"]


def test_an_eventbrite_or_pretix_export_is_read_by_the_preset_its_header_matches(setup):
    from tests.sync.test_roster_mapping import EVENTBRITE_FILE, PRETIX_FILE

    ev = setup.event_id
    _, cursor = pull_roster(setup.device, ev)
    for path in (EVENTBRITE_FILE, PRETIX_FILE):
        report = setup.organizer.data("post", f"/events/{ev}/roster", content=path.read_bytes(), headers=CSV)
        assert report["created"] == 3 and report["problems"] == [], path.name
    items, _ = pull_roster(setup.device, ev, cursor)
    by_code = {i["ticket_code"]: i for i in items}
    assert by_code["552109334308873421001"]["status"] == "cancelled"
    assert (by_code["q8c4npd2w9zx7ktr3ma6yvh5ue2bsfjg"]["first_name"],
            by_code["q8c4npd2w9zx7ktr3ma6yvh5ue2bsfjg"]["email"]) == ("Anna", "juergen@example.org")


def test_unreadable_csv_is_one_clear_400(setup):
    for body, words in [
        (b"", "empty"),
        (b"\xff\xfeU\x00T\x00F\x00", "UTF-16"),
        (b"name;age\nx;1\n", "header"),
        ("first_name,last_name,email,ticket_code\nZoë,X,z@example.org,Z-0001\n".encode("latin-1"), "UTF-8"),
    ]:
        status, reply = setup.organizer.post(f"/events/{setup.event_id}/roster", content=body, headers=CSV)
        assert status == 400 and reply["error"]["code"] == "bad_request", reply
        assert words in reply["error"]["message"]
    status, reply = setup.organizer.post("/events/evt-none/roster", content=roster_csv(ROSTER), headers=CSV)
    assert status == 404


def test_revocations_travel_with_the_roster_changes(setup):
    ev = setup.event_id
    _, cursor = pull_roster(setup.device, ev)
    revocations = f"/events/{ev}/revocations"
    revoked = setup.organizer.data("post", revocations, {"ticket_code": "ADA-0001", "reason": "refunded"})
    assert revoked["type"] == "revocation" and revoked["revoked"] is True and revoked["seq"] > cursor
    zed = roster_csv([("Zed", "New", "zed@example.org", "ZED-0007")])
    setup.organizer.data("post", f"/events/{ev}/roster", content=zed, headers=CSV)
    reinstated = setup.organizer.data("post", revocations, {"ticket_code": "PRINTED-9", "revoked": False})
    items, _ = pull_roster(setup.device, ev, cursor, limit=1)
    assert [(i["type"], i["ticket_code"]) for i in items] == [
        ("revocation", "ADA-0001"), ("attendee", "ZED-0007"), ("revocation", "PRINTED-9"),
    ]
    assert items[0]["reason"] == "refunded" and items[2]["revoked"] is False
    assert items[2]["seq"] == reinstated["seq"]
    status, reply = setup.organizer.post(f"/events/{ev}/revocations", {"ticket_code": "", "reason": "x"})
    assert status == 422


def test_create_event_validation(organizer):
    status, reply = organizer.post("/events", {"name": "X", "timezone": "Mars/Olympus"})
    assert status == 422 and "time zone" in reply["error"]["message"]
    status, reply = organizer.post("/events", {"name": "", "venue_capacity": 10})
    assert status == 422
    status, reply = organizer.post("/events", {"name": "X", "venue_capacity": "ten"})
    assert status == 422
    event = organizer.data("post", "/events", {
        "name": "Gala", "timezone": "Europe/Paris", "starts_at": "2026-12-01T18:00:00+01:00",
        "settings": {"reentry": True},
    }, expect=201)
    assert event["starts_at"] == "2026-12-01T17:00:00Z" and event["settings"] == {"reentry": True}
    assert len(event["signing_keys"]) == 1 and event["signing_keys"][0]["active"]
    assert organizer.data("get", f"/events/{event['id']}") == event
