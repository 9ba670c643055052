"""Walk-ins over real HTTP: idempotent, merged by e-mail and name, code clashes, scans before their walk-in."""

from __future__ import annotations

from sync import wire
from sync.tickets import verify_signed
from tests.sync.server.support import checkin, walkin


def register(api, event_id, body):
    return api.data("post", f"/events/{event_id}/rsvp", body)


def keys_of(api, event_id):
    return {k["key_id"]: k["public_key"] for k in api.data("get", f"/events/{event_id}")["signing_keys"] if k["active"]}


def test_new_walkin_is_accepted_once_with_a_signed_badge(setup):
    ev = setup.event_id
    item = walkin(ev, "Wanda", "Wanda@Example.org", "W-WANDA-1")
    verdict = register(setup.device, ev, item)
    wire.WalkinVerdict.model_validate(verdict)
    assert verdict["status"] == "accepted" and not verdict["merged"] and not verdict["already_received"]
    attendee = verdict["attendee"]
    assert attendee["id"] == item["id"] and attendee["ticket_code"] == "W-WANDA-1" and attendee["is_walkin"]
    assert attendee["email"] == "wanda@example.org"
    ticket = verify_signed(attendee["signed_ticket"], ev, keys_of(setup.device, ev))
    assert ticket.code == "W-WANDA-1" and ticket.name == "Wanda Walker" and ticket.canonical_attendee_id == item["id"]
    again = register(setup.device, ev, item)
    assert again["already_received"] and again["attendee"]["seq"] == attendee["seq"]
    figures = setup.organizer.data("get", f"/events/{ev}/stats")
    assert (figures["walk_ins"], figures["walk_ins_merged"], figures["expected"]) == (1, 0, 4)


def test_walkin_with_an_rsvp_email_merges_and_its_scans_count_for_the_rsvp(setup):
    ev = setup.event_id
    item = walkin(ev, "ADA", "ADA@example.org", "W-ADA-1", last="lovelace")
    scan = checkin(ev, "W-ADA-1", attendee_id=item["id"])  # the kiosk admitted its own walk-in
    verdict = register(setup.device, ev, item)
    assert verdict["merged"] is True
    canonical = verdict["attendee"]
    assert canonical["ticket_code"] == "ADA-0001" and not canonical["is_walkin"]
    assert verdict["walkin"]["merged_into_id"] == canonical["id"] and verdict["walkin"]["id"] == item["id"]
    pushed = setup.device.data("post", f"/events/{ev}/checkins", {"items": [scan]})["results"][0]
    assert pushed["status"] == "accepted" and pushed["attendee_id"] == canonical["id"]
    # Ada's own ticket at another door is now the duplicate: one person, one arrival.
    second = setup.device.data("post", f"/events/{ev}/checkins", {"items": [checkin(ev, "ADA-0001")]})["results"][0]
    assert second["status"] == "duplicate" and second["duplicate_of"] == scan["id"]
    figures = setup.organizer.data("get", f"/events/{ev}/stats")
    assert (figures["arrived"], figures["walk_ins"], figures["walk_ins_merged"], figures["duplicates"]) == (1, 0, 1, 1)
    # Other kiosks learn the merge from the roster feed.
    page = setup.device.data("get", f"/events/{ev}/attendees", cursor=0, limit=5000)
    walkin_row = next(i for i in page["items"] if i.get("id") == item["id"])
    assert walkin_row["merged_into_id"] == canonical["id"]


def test_two_walkins_with_one_email_from_two_kiosks_merge_into_the_first(setup):
    ev = setup.event_id
    door2_id, door2 = setup.enroll("Door 2")
    first = register(setup.device, ev, walkin(ev, "Nora", "nora@example.org", "W-NORA-1"))
    second = register(door2, ev, walkin(ev, "Nora", "NORA@example.org", "W-NORA-2", device=door2_id))
    assert not first["merged"] and second["merged"]
    assert second["attendee"]["id"] == first["attendee"]["id"]


def test_a_walkin_with_an_rsvp_email_but_another_name_is_another_person(setup):
    """A family booking or a shared office address: the e-mail alone never makes two people one."""
    ev = setup.event_id
    item = walkin(ev, "Adam", "ada@example.org", "W-ADAM-1", last="Lovelace")
    verdict = register(setup.device, ev, item)
    assert verdict["status"] == "accepted" and not verdict["merged"]
    assert verdict["attendee"]["id"] == item["id"] and verdict["attendee"]["merged_into_id"] is None
    pushed = setup.device.data("post", f"/events/{ev}/checkins", {"items": [
        checkin(ev, "W-ADAM-1", attendee_id=item["id"]), checkin(ev, "ADA-0001")]})["results"]
    assert [p["status"] for p in pushed] == ["accepted", "accepted"]
    figures = setup.organizer.data("get", f"/events/{ev}/stats")
    assert (figures["arrived"], figures["walk_ins"], figures["walk_ins_merged"], figures["duplicates"]) == (2, 1, 0, 0)


def test_names_match_ignoring_accents_case_and_spacing(setup):
    ev = setup.event_id
    door2_id, door2 = setup.enroll("Door 2")
    first = register(setup.device, ev, walkin(ev, "Zoë", "zoe@example.org", "W-ZOE-1", last="Van  Dijk"))
    second = register(door2, ev, walkin(ev, " ZOE", "Zoe@example.org", "W-ZOE-2", device=door2_id, last="van dijk"))
    assert not first["merged"] and second["merged"] and second["attendee"]["id"] == first["attendee"]["id"]


def test_walkin_code_already_taken_gets_a_new_code(setup):
    ev = setup.event_id
    verdict = register(setup.device, ev, walkin(ev, "Copy", None, "GRACE-0002"))
    assert verdict["status"] == "accepted" and not verdict["merged"]
    assert verdict["attendee"]["ticket_code"] != "GRACE-0002" and verdict["attendee"]["ticket_code"].startswith("W-")


def test_scan_pushed_before_its_walkin_is_linked_when_the_walkin_arrives(setup):
    ev = setup.event_id
    item = walkin(ev, "Late", "late@example.org", "W-LATE-1")
    scan = checkin(ev, "W-LATE-1", attendee_id=item["id"])
    early = setup.device.data("post", f"/events/{ev}/checkins", {"items": [scan]})["results"][0]
    assert early["status"] == "accepted" and early["flag"] == wire.FLAG_UNKNOWN_ATTENDEE
    assert early["attendee_id"] is None
    cursor = early["seq"]
    register(setup.device, ev, item)
    page = setup.device.data("get", f"/events/{ev}/checkins", cursor=cursor)
    (entry,) = page["items"]
    assert entry["id"] == scan["id"] and entry["attendee_id"] == item["id"] and entry["flag"] == ""
    assert setup.organizer.data("get", f"/events/{ev}/stats")["arrived"] == 1


def test_batch_form_and_per_item_rejection(setup):
    ev = setup.event_id
    items = [walkin(ev, "One", "one@example.org", "W-ONE-1"), walkin("evt-elsewhere", "Two", None, "W-TWO-1"),
             walkin(ev, "Three", None, "W-THREE-1")]
    results = register(setup.device, ev, {"items": items})["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected", "accepted"]
    assert results[1]["reason"]["code"] == "wrong_event"
    status, reply = setup.device.post(f"/events/{ev}/rsvp", {"items": [dict(items[0], first_name="")]})
    assert status == 422
    status, reply = setup.device.post(f"/events/{ev}/rsvp", dict(items[0], plus_ones=-1))
    assert status == 422
    status, reply = setup.device.post(f"/events/{ev}/rsvp", dict(items[0], vip=True))
    assert status == 422


def test_a_walkin_is_recorded_as_made_by_the_device_of_the_token(setup):
    from sync.server.models import AttendeeRow

    ev = setup.event_id
    item = walkin(ev, "Fern", None, "W-FERN-1", device="dev-somebody-else")
    assert register(setup.device, ev, item)["status"] == "accepted"
    with setup.server.db.read() as session:
        assert session.get(AttendeeRow, item["id"]).created_by_device == setup.device_id
