"""The bulk pages the server builds as JSON by hand carry exactly the wire models' fields (issue 9, point 5).

A field added to a wire model and forgotten by the builder (or a key the model does not know)
would be silently dropped by a kiosk's lenient reply models: the key sets must be equal.
"""

from __future__ import annotations

from sync import wire
from tests.sync.server.support import checkin, walkin


def fields(model) -> set[str]:
    return set(model.model_fields)


def test_checkin_page_keys_are_the_wire_models(setup):
    ev = setup.event_id
    first = checkin(ev, "ADA-0001")
    setup.device.data("post", f"/events/{ev}/checkins", {"items": [
        first, checkin(ev, "ADA-0001", kind="undo", undoes=first["id"]), checkin(ev, "NOPE-404", result="unknown_code"),
    ]})
    page = setup.device.data("get", f"/events/{ev}/checkins")
    assert set(page) == fields(wire.CheckinPage)
    assert len(page["items"]) == 3
    for item in page["items"]:
        assert set(item) == fields(wire.CheckinLogEntry)
    wire.CheckinPage.model_validate(page)


def test_roster_page_keys_are_the_wire_models(setup):
    ev = setup.event_id
    setup.organizer.data("post", f"/events/{ev}/revocations", {"ticket_code": "GRACE-0002", "reason": "lost"})
    setup.device.data("post", f"/events/{ev}/rsvp", walkin(ev, "Ada", "ada@example.org", "W-ADA-1", last="Lovelace"))
    for with_tickets in ("false", "true"):
        page = setup.device.data("get", f"/events/{ev}/attendees", with_tickets=with_tickets)
        assert set(page) == fields(wire.RosterPage)
        kinds = {item["type"] for item in page["items"]}
        assert kinds == {"attendee", "revocation"}
        for item in page["items"]:
            model = wire.AttendeeChange if item["type"] == "attendee" else wire.RevocationChange
            assert set(item) == fields(model), item["type"]
        parsed = wire.RosterPage.model_validate(page)
        merged = [i for i in parsed.items if getattr(i, "merged_into_id", None)]
        assert len(merged) == 1 and merged[0].is_walkin
