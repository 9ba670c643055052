"""Signed tickets: signing, strict parsing of hostile payloads, rotation, revocation, and the desk using them."""

from __future__ import annotations

import base64
import json
import time

import pytest
from sqlalchemy import select

from kiosk.core.desk import CheckinDesk
from kiosk.core.results import Result
from sync import tickets
from sync.replica import open_replica
from sync.replica.models import Attendee, Event, RevokedTicket, SigningKey
from sync.tickets import KeyPair, TicketError, TicketVerifier, attendee_id_for, decode, sign_ticket, verify_signed

EVENT = "evt-sign"


@pytest.fixture
def key():
    return KeyPair.generate()


def signed_for(key, code="VIP-0042", event_id=EVENT, name="Ada Lovelace", **kw):
    return sign_ticket(key.private_key, key.key_id, code=code, event_id=event_id, name=name, **kw)


def test_round_trip_carries_every_field(key):
    signed = signed_for(key, not_before=1_700_000_000, not_after=1_900_000_000)
    assert signed.startswith("CK1.") and len(signed) <= tickets.MAX_SIGNED_CHARS
    ticket = verify_signed(signed, EVENT, {key.key_id: key.public_key}, now=1_800_000_000)
    assert (ticket.code, ticket.event_id, ticket.name, ticket.key_id) == ("VIP-0042", EVENT, "Ada Lovelace", key.key_id)
    assert ticket.valid_from.year == 2023 and ticket.valid_until.year == 2030
    assert ticket.canonical_attendee_id == attendee_id_for(EVENT, "VIP-0042")
    payload = json.loads(base64.urlsafe_b64decode(signed.split(".")[1] + "=="))
    assert set(payload) == {"t", "e", "n", "k", "nb", "na"}  # compact: no attendee id for a roster ticket


def test_walkin_ticket_carries_its_attendee_id(key):
    signed = signed_for(key, code="W-12345", attendee_id="0b4f5d0e-1111-4222-8333-944445555666")
    ticket = verify_signed(signed, EVENT, {key.key_id: key.public_key})
    assert ticket.canonical_attendee_id == "0b4f5d0e-1111-4222-8333-944445555666"


def test_tampered_payload_is_refused(key):
    signed = signed_for(key)
    prefix, body, signature = signed.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=="))
    payload["n"] = "Mallory"
    forged_body = tickets.b64url(json.dumps(payload, separators=(",", ":")).encode())
    with pytest.raises(TicketError) as info:
        verify_signed(f"{prefix}.{forged_body}.{signature}", EVENT, {key.key_id: key.public_key})
    assert info.value.code == tickets.INVALID_SIGNATURE


def test_forged_with_another_key_under_a_trusted_key_id(key):
    mallory = KeyPair.generate()
    forged = sign_ticket(mallory.private_key, key.key_id, code="VIP-0042", event_id=EVENT, name="Mallory")
    with pytest.raises(TicketError) as info:
        verify_signed(forged, EVENT, {key.key_id: key.public_key})
    assert info.value.code == tickets.INVALID_SIGNATURE


def test_unknown_key_and_wrong_event(key):
    with pytest.raises(TicketError) as info:
        verify_signed(signed_for(key), EVENT, {})
    assert info.value.code == tickets.INVALID_SIGNATURE and "key" in info.value.reason
    with pytest.raises(TicketError) as info:
        verify_signed(signed_for(key, event_id="evt-other"), EVENT, {key.key_id: key.public_key})
    assert info.value.code == tickets.WRONG_EVENT


def test_validity_window_with_clock_leeway(key):
    keys = {key.key_id: key.public_key}
    signed = signed_for(key, not_before=1_000_000, not_after=2_000_000)
    verify_signed(signed, EVENT, keys, now=1_000_000 - 60)  # a kiosk clock a minute slow still admits
    for now in (1_000_000 - 3600, 2_000_000 + 3600):
        with pytest.raises(TicketError) as info:
            verify_signed(signed, EVENT, keys, now=now)
        assert info.value.code == tickets.INVALID_SIGNATURE


def test_revoked(key):
    with pytest.raises(TicketError) as info:
        verify_signed(signed_for(key), EVENT, {key.key_id: key.public_key}, revoked=lambda code: "refunded")
    assert info.value.code == tickets.REVOKED and "refunded" in info.value.reason


def _b64(obj) -> str:
    raw = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return tickets.b64url(raw)


SIG = tickets.b64url(b"\0" * 64)


@pytest.mark.parametrize(
    "signed",
    [
        "CK1.",
        "CK1.abc",
        "CK1.a.b.c",
        "CK1.!!!!.????",
        "CK1." + "A" * 2000 + "." + SIG,
        f"CK1.{_b64(b'not json')}.{SIG}",
        "CK1." + _b64(b"\xff\xfe") + "." + SIG,
        f"CK1.{_b64([1, 2])}.{SIG}",
        f"CK1.{_b64({'t': 'VIP-1', 'e': EVENT, 'n': 'x'})}.{SIG}",  # no key id
        f"CK1.{_b64({'t': 'VIP-1', 'e': EVENT, 'n': 'x', 'k': 'k1', 'zz': 1})}.{SIG}",  # unknown field
        f"CK1.{_b64({'t': 'has space', 'e': EVENT, 'n': 'x', 'k': 'k1'})}.{SIG}",
        f"CK1.{_b64({'t': 'VIP-1', 'e': EVENT, 'n': 'x' * 500, 'k': 'k1'})}.{SIG}",
        "CK1." + _b64({"t": "VIP-1", "e": EVENT, "n": "bell\u0007", "k": "k1"}) + "." + SIG,
        f"CK1.{_b64({'t': 'VIP-1', 'e': EVENT, 'n': 'x', 'k': 'k1', 'na': 'soon'})}.{SIG}",
        f"CK1.{_b64({'t': 'VIP-1', 'e': EVENT, 'n': 'x', 'k': 'k1', 'na': True})}.{SIG}",
        f"CK1.{_b64({'t': 'VIP-1', 'e': EVENT, 'n': 'x', 'k': 'k1', 'na': 10**30})}.{SIG}",
        f"CK1.{_b64({'t': 'VIP-1', 'e': 7, 'n': 'x', 'k': 'k1'})}.{SIG}",
        f"CK1.{_b64({'t': 'VIP-1', 'e': EVENT, 'n': 'x', 'k': 'k1'})}.{tickets.b64url(b'short')}",
        f"CK1.{_b64({'t': 'VIP-1', 'e': EVENT, 'n': 'x', 'k': 'k1'})}={SIG}",
    ],
)
def test_malformed_payloads_are_refused_cleanly(signed):
    with pytest.raises(TicketError) as info:
        decode(signed)
    assert info.value.code == tickets.MALFORMED and info.value.reason


# ---- on a kiosk: the replica's keys and revocations, through the desk ------------------------


@pytest.fixture
def replica(tmp_path, key):
    replica = open_replica(tmp_path / "data")
    with replica.session() as s:
        s.add(Event(id=EVENT, name="Signed Conf"))
        s.add(SigningKey(key_id=key.key_id, event_id=EVENT, public_key=key.public_key, active=True))
    replica.set_state("event_id", EVENT)
    yield replica
    replica.close()


@pytest.fixture
def desk(replica):
    return CheckinDesk(replica, door="Door 1", ticket_verifier=TicketVerifier())


def test_signed_ticket_not_in_roster_is_admitted_and_added(desk, replica, key):
    decision = desk.scan(signed_for(key))
    assert decision.result == Result.ADMITTED
    assert decision.attendee.full_name == "Ada Lovelace"
    with replica.session(write=False) as s:
        attendee = s.scalar(select(Attendee).where(Attendee.ticket_code == "VIP-0042"))
        assert attendee.id == attendee_id_for(EVENT, "VIP-0042")  # the id the server's roster row will have
    assert desk.scan(signed_for(key)).result == Result.ALREADY_CHECKED_IN


def test_signed_ticket_of_a_roster_attendee_uses_the_roster_row(desk, replica, key):
    now = desk.clock()
    with replica.session() as s:
        s.add(Attendee(id="roster-row-1", event_id=EVENT, first_name="Grace", last_name="Hopper",
                       ticket_code="VIP-0042", status="cancelled", created_at=now, updated_at=now))
    decision = desk.scan(signed_for(key))
    assert decision.result == Result.CANCELLED  # the roster's status wins over the ticket
    assert decision.attendee.id == "roster-row-1"


def test_desk_refusals_map_to_results(desk, replica, key):
    other = KeyPair.generate()
    assert desk.scan(sign_ticket(other.private_key, other.key_id, code="X-001", event_id=EVENT, name="Eve")).result \
        == Result.INVALID_SIGNATURE
    assert desk.scan(signed_for(key, event_id="evt-elsewhere")).result == Result.WRONG_EVENT
    assert desk.scan("CK1.garbage").result == Result.MALFORMED
    with replica.session() as s:
        s.add(RevokedTicket(event_id=EVENT, ticket_code="VIP-0099", reason="refunded"))
    decision = desk.scan(signed_for(key, code="VIP-0099"))
    assert decision.result == Result.REVOKED and "refunded" in decision.reason
    with replica.session(write=False) as s:  # nothing refused was added to the roster
        assert s.scalar(select(Attendee).where(Attendee.ticket_code.in_(["X-001", "VIP-0099"]))) is None


def test_key_rotation_both_keys_valid_then_old_retired(desk, replica, key):
    new = KeyPair.generate()
    with replica.session() as s:
        s.add(SigningKey(key_id=new.key_id, event_id=EVENT, public_key=new.public_key, active=True))
    assert desk.scan(signed_for(key, code="OLD-0001")).result == Result.ADMITTED
    assert desk.scan(signed_for(new, code="NEW-0001")).result == Result.ADMITTED
    with replica.session() as s:
        s.get(SigningKey, key.key_id).active = False
    assert desk.scan(signed_for(key, code="OLD-0002")).result == Result.INVALID_SIGNATURE
    assert desk.scan(signed_for(new, code="NEW-0002")).result == Result.ADMITTED


def test_expired_ticket_at_the_desk(replica, key):
    desk = CheckinDesk(replica, ticket_verifier=TicketVerifier(clock=lambda: time.time() + 86400 * 30))
    decision = desk.scan(signed_for(key, not_after=int(time.time()) + 86400))
    assert decision.result == Result.INVALID_SIGNATURE and "expired" in decision.reason
