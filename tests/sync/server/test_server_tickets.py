"""Tickets the server signs, checked the way a kiosk checks them: keys from the event, rotation, revocation, forgery."""

from __future__ import annotations

import base64
import json

import pytest

from kiosk.core.desk import CheckinDesk
from kiosk.core.results import Result
from sync import tickets
from sync.replica import open_replica
from sync.replica.models import Event, RevokedTicket, SigningKey
from sync.tickets import KeyPair, TicketError, TicketVerifier, decode, sign_ticket, verify_signed


def active_keys(api, event_id):
    return {k["key_id"]: k["public_key"] for k in api.data("get", f"/events/{event_id}")["signing_keys"] if k["active"]}


def signed_tickets(api, event_id):
    page = api.data("get", f"/events/{event_id}/attendees", cursor=0, limit=5000, with_tickets="true")
    return {i["ticket_code"]: i["signed_ticket"] for i in page["items"] if i["type"] == "attendee"}


@pytest.fixture
def kiosk(setup, tmp_path):
    """A replica holding the event and its keys as the server serves them, and a desk with a verifier."""
    replica = open_replica(tmp_path / "kiosk")
    event = setup.device.data("get", f"/events/{setup.event_id}")
    with replica.session() as s:
        s.add(Event(id=event["id"], name=event["name"], timezone=event["timezone"]))
        for key in event["signing_keys"]:
            s.add(SigningKey(
                key_id=key["key_id"], event_id=event["id"], public_key=key["public_key"], active=key["active"]
            ))
    replica.set_state("event_id", event["id"])
    yield CheckinDesk(replica, door="Door 1", ticket_verifier=TicketVerifier())
    replica.close()


def test_every_roster_ticket_is_signed_and_verifies(setup):
    keys = active_keys(setup.device, setup.event_id)
    issued = signed_tickets(setup.device, setup.event_id)
    assert set(issued) == {"ADA-0001", "GRACE-0002", "ALAN-0003", "EDSGER-0004", "EMILIE-0005"}
    for code, signed in issued.items():
        ticket = verify_signed(signed, setup.event_id, keys)
        assert ticket.code == code and ticket.key_id in keys
    assert verify_signed(issued["EMILIE-0005"], setup.event_id, keys).name == "Émilie du Châtelet"


def test_kiosk_admits_a_signed_ticket_it_has_no_roster_row_for(setup, kiosk):
    signed = signed_tickets(setup.device, setup.event_id)["GRACE-0002"]
    decision = kiosk.scan(signed)
    assert decision.result == Result.ADMITTED and decision.attendee.full_name == "Grace Hopper"
    # The kiosk's row has the server's id: the scan it pushes counts for the right attendee.
    roster_id = next(i["id"] for i in setup.device.data("get", f"/events/{setup.event_id}/attendees")["items"]
                     if i.get("ticket_code") == "GRACE-0002")
    assert decision.attendee.id == roster_id


def test_tampered_and_forged_tickets_are_refused(setup, kiosk):
    signed = signed_tickets(setup.device, setup.event_id)["ADA-0001"]
    _, body, signature = signed.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["t"] = "GRACE-0002"  # someone edits the code in their QR
    edited = "CK1." + tickets.b64url(json.dumps(payload, separators=(",", ":")).encode()) + "." + signature
    assert kiosk.scan(edited).result == Result.INVALID_SIGNATURE
    flipped = signed[:-2] + ("A" if signed[-2] != "A" else "B") + signed[-1]
    assert kiosk.scan(flipped).result in (Result.INVALID_SIGNATURE, Result.MALFORMED)
    forger = KeyPair.generate()
    forged = sign_ticket(forger.private_key, payload["k"], code="FAKE-0001", event_id=setup.event_id, name="Mallory")
    decision = kiosk.scan(forged)
    assert decision.result == Result.INVALID_SIGNATURE and "forged" in decision.reason


def test_key_rotation_old_tickets_stay_valid_until_the_old_key_is_retired(setup):
    ev, organizer = setup.event_id, setup.organizer
    (old_key,) = active_keys(setup.device, ev)
    old_ticket = signed_tickets(setup.device, ev)["ADA-0001"]
    event = organizer.data("post", f"/events/{ev}/signing-keys", {})
    assert [k["active"] for k in event["signing_keys"]] == [True, True]
    new_key = event["signing_keys"][1]["key_id"]
    new_ticket = signed_tickets(setup.device, ev)["ADA-0001"]
    assert decode(new_ticket)[0].key_id == new_key  # the newest key signs
    keys = active_keys(setup.device, ev)
    assert verify_signed(old_ticket, ev, keys).code == verify_signed(new_ticket, ev, keys).code == "ADA-0001"

    status, reply = organizer.delete(f"/events/{ev}/signing-keys/{new_key}x")
    assert status == 404
    event = organizer.data("delete", f"/events/{ev}/signing-keys/{old_key}")
    assert {k["key_id"]: k["active"] for k in event["signing_keys"]} == {old_key: False, new_key: True}
    keys = active_keys(setup.device, ev)
    with pytest.raises(TicketError) as info:
        verify_signed(old_ticket, ev, keys)
    assert info.value.code == tickets.INVALID_SIGNATURE
    status, reply = organizer.delete(f"/events/{ev}/signing-keys/{new_key}")
    assert status == 409 and reply["error"]["code"] == "conflict"


def test_compromised_key_retired_at_once(setup):
    ev = setup.event_id
    old_ticket = signed_tickets(setup.device, ev)["ADA-0001"]
    event = setup.organizer.data("post", f"/events/{ev}/signing-keys", {"retire_others": True})
    assert [k["active"] for k in event["signing_keys"]] == [False, True]
    with pytest.raises(TicketError):
        verify_signed(old_ticket, ev, active_keys(setup.device, ev))


def test_revoked_signed_ticket_is_refused_once_the_revocation_is_pulled(setup, kiosk):
    ev = setup.event_id
    signed = signed_tickets(setup.device, ev)["EMILIE-0005"]
    setup.organizer.data("post", f"/events/{ev}/revocations", {"ticket_code": "EMILIE-0005", "reason": "resold"})
    page = setup.device.data("get", f"/events/{ev}/attendees", cursor=0, limit=5000)
    with kiosk.replica.session() as s:  # what the sync engine does with a revocation change
        for item in page["items"]:
            if item["type"] == "revocation" and item["revoked"]:
                s.add(RevokedTicket(event_id=ev, ticket_code=item["ticket_code"], reason=item["reason"]))
    decision = kiosk.scan(signed)
    assert decision.result == Result.REVOKED and "resold" in decision.reason
    assert kiosk.scan(signed_tickets(setup.device, ev)["ADA-0001"]).result == Result.ADMITTED
