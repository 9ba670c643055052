"""Signed tickets: a QR payload a kiosk can trust without the roster (Ed25519).

Format: ``CK1.<base64url(payload)>.<base64url(signature)>`` (no padding), at most
:data:`MAX_SIGNED_CHARS` characters. The payload is compact JSON::

    {"t": ticket code, "e": event id, "n": attendee name, "k": key id,
     "nb": valid from (unix s), "na": valid until (unix s), "a": attendee id}

``nb``, ``na`` and ``a`` are optional (``a`` only when the attendee id is not
:func:`attendee_id_for` of the code, e.g. a walk-in). The signature covers the
payload bytes exactly as encoded. Each event has its own key pairs; the server
keeps the private keys and serves the public ones with the event (several at
once during a rotation). Everything scanned is hostile: parsing is strict and
bounded, and never raises past :func:`decode`/:meth:`TicketVerifier.verify`.

This module imports nothing from ``kiosk``: refusals are plain result codes
(the values of ``kiosk.core.results.Result``), mapped by the desk.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "CK1."
MAX_SIGNED_CHARS = 1024
MAX_NAME_CHARS = 100
MAX_CODE_CHARS = 128
CLOCK_LEEWAY_SECONDS = 300  # a kiosk clock a few minutes off must not refuse a valid ticket
ATTENDEE_NAMESPACE = uuid.UUID("6f1c6a4e-3b0e-4d7e-9a51-2f4f3c8b9d10")

# Refusal codes: the same strings as kiosk.core.results.Result values.
MALFORMED = "malformed"
INVALID_SIGNATURE = "invalid_signature"
WRONG_EVENT = "wrong_event"
REVOKED = "revoked"

_B64URL = re.compile(r"^[A-Za-z0-9_-]+$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-:.]{2,127}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$")
_KEYS = {"t", "e", "n", "k", "nb", "na", "a"}
_MAX_UNIX = 2**40  # far beyond any real date; keeps datetime conversion safe


class TicketError(ValueError):
    """A signed ticket that cannot be used; ``code`` is one of the refusal codes."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Ticket:
    code: str
    event_id: str
    name: str
    key_id: str
    not_before: int | None = None  # unix seconds
    not_after: int | None = None
    attendee_id: str | None = None  # only when it is not attendee_id_for(event_id, code)

    @property
    def canonical_attendee_id(self) -> str:
        return self.attendee_id or attendee_id_for(self.event_id, self.code)

    @property
    def valid_from(self) -> datetime | None:
        return _utc(self.not_before)

    @property
    def valid_until(self) -> datetime | None:
        return _utc(self.not_after)


def attendee_id_for(event_id: str, ticket_code: str) -> str:
    """The attendee id the server gives a roster ticket: stable, derived from the code."""
    return str(uuid.uuid5(ATTENDEE_NAMESPACE, f"{event_id}\n{ticket_code}"))


# ---- keys ---------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class KeyPair:
    key_id: str
    private_key: str  # base64url of the 32-byte seed: server side only
    public_key: str  # base64url of the 32 raw bytes

    @classmethod
    def generate(cls) -> "KeyPair":
        private = Ed25519PrivateKey.generate()
        seed = private.private_bytes_raw()
        return cls(
            key_id=f"k{secrets.token_hex(6)}",
            private_key=b64url(seed),
            public_key=b64url(private.public_key().public_bytes_raw()),
        )


def public_key_from(text: str) -> Ed25519PublicKey:
    raw = unb64url(text)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


# ---- signing (server) -------------------------------------------------------------


def sign_ticket(
    private_key: str | Ed25519PrivateKey,
    key_id: str,
    *,
    code: str,
    event_id: str,
    name: str,
    not_before: int | None = None,
    not_after: int | None = None,
    attendee_id: str | None = None,
) -> str:
    """The signed QR payload for one ticket."""
    if isinstance(private_key, str):
        private_key = Ed25519PrivateKey.from_private_bytes(unb64url(private_key))
    if not _CODE.fullmatch(code):
        raise ValueError(f"not a ticket code: {code!r}")
    payload: dict = {"t": code, "e": event_id, "n": name[:MAX_NAME_CHARS], "k": key_id}
    if not_before is not None:
        payload["nb"] = int(not_before)
    if not_after is not None:
        payload["na"] = int(not_after)
    if attendee_id and attendee_id != attendee_id_for(event_id, code):
        payload["a"] = attendee_id
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    signed = f"{PREFIX}{b64url(body)}.{b64url(private_key.sign(body))}"
    if len(signed) > MAX_SIGNED_CHARS:
        raise ValueError("the signed ticket would be too long for a QR payload")
    return signed


# ---- parsing and verifying (kiosk) ---------------------------------------------------


def decode(signed: str) -> tuple[Ticket, bytes, bytes]:
    """Parse without checking the signature: ``(ticket, payload bytes, signature)``.

    Raises :class:`TicketError` with code ``malformed`` for anything not exactly right.
    """
    if not isinstance(signed, str) or len(signed) > MAX_SIGNED_CHARS:
        raise TicketError(MALFORMED, "The signed ticket is too long.")
    if not signed.startswith(PREFIX):
        raise TicketError(MALFORMED, "This is not a signed ticket.")
    parts = signed[len(PREFIX):].split(".")
    if len(parts) != 2:
        raise TicketError(MALFORMED, "The signed ticket is damaged (wrong number of parts).")
    try:
        body, signature = unb64url(parts[0]), unb64url(parts[1])
    except (ValueError, binascii.Error) as exc:
        raise TicketError(MALFORMED, "The signed ticket is damaged (bad encoding).") from exc
    if len(signature) != 64:
        raise TicketError(MALFORMED, "The signed ticket is damaged (bad signature length).")
    try:
        fields = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise TicketError(MALFORMED, "The signed ticket is damaged (unreadable content).") from exc
    return _ticket_from(fields), body, signature


def _ticket_from(fields) -> Ticket:
    if not isinstance(fields, dict) or not {"t", "e", "n", "k"} <= fields.keys() or not fields.keys() <= _KEYS:
        raise TicketError(MALFORMED, "The signed ticket has missing or unexpected fields.")
    code, event_id, name, key_id = fields["t"], fields["e"], fields["n"], fields["k"]
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise TicketError(MALFORMED, "The signed ticket carries an invalid ticket code.")
    if not isinstance(event_id, str) or not _ID.fullmatch(event_id):
        raise TicketError(MALFORMED, "The signed ticket carries an invalid event id.")
    if not isinstance(key_id, str) or not _ID.fullmatch(key_id):
        raise TicketError(MALFORMED, "The signed ticket carries an invalid key id.")
    if not isinstance(name, str) or len(name) > MAX_NAME_CHARS or not name.isprintable():
        raise TicketError(MALFORMED, "The signed ticket carries an invalid name.")
    bounds = []
    for key in ("nb", "na"):
        value = fields.get(key)
        if value is not None and (type(value) is not int or not 0 <= value < _MAX_UNIX):
            raise TicketError(MALFORMED, "The signed ticket carries an invalid validity period.")
        bounds.append(value)
    attendee_id = fields.get("a")
    well_formed = isinstance(attendee_id, str) and _ID.fullmatch(attendee_id) and len(attendee_id) <= 36
    if attendee_id is not None and not well_formed:
        raise TicketError(MALFORMED, "The signed ticket carries an invalid attendee id.")
    return Ticket(code, event_id, name, key_id, bounds[0], bounds[1], attendee_id)


def verify_signed(
    signed: str,
    event_id: str,
    public_keys: Mapping[str, str],
    *,
    revoked: Callable[[str], str | None] = lambda code: None,
    now: float | None = None,
) -> Ticket:
    """The ticket if ``signed`` is a valid ticket of ``event_id``; else raise :class:`TicketError`.

    ``public_keys`` maps the event's *active* key ids to base64url public keys;
    ``revoked(code)`` returns a reason when the code is revoked, else None.
    """
    ticket, body, signature = decode(signed)
    if ticket.event_id != event_id:
        raise TicketError(WRONG_EVENT, "This ticket is for another event.")
    public = public_keys.get(ticket.key_id)
    if public is None:
        raise TicketError(
            INVALID_SIGNATURE,
            "This ticket is signed with a key this kiosk does not trust (sync the event, or it is forged).",
        )
    try:
        public_key_from(public).verify(signature, body)
    except (InvalidSignature, ValueError) as exc:
        raise TicketError(INVALID_SIGNATURE, "This ticket's signature is not valid: it is forged or altered.") from exc
    now = time.time() if now is None else now
    if ticket.not_before is not None and now + CLOCK_LEEWAY_SECONDS < ticket.not_before:
        raise TicketError(INVALID_SIGNATURE, f"This ticket is not valid before {_shown(ticket.not_before)}.")
    if ticket.not_after is not None and now - CLOCK_LEEWAY_SECONDS > ticket.not_after:
        raise TicketError(INVALID_SIGNATURE, f"This ticket expired on {_shown(ticket.not_after)}.")
    reason = revoked(ticket.code)
    if reason is not None:
        raise TicketError(REVOKED, "This ticket has been revoked" + (f": {reason}." if reason else "."))
    return ticket


@dataclass(frozen=True)
class TicketVerdict:
    """``refusal`` is None for a good ticket, else one of the refusal codes (Result values)."""

    refusal: str | None
    reason: str
    ticket: Ticket | None


class TicketVerifier:
    """Checks signed tickets against a replica's signing keys and revocation list."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock

    def verify(self, session, signed: str, event_id: str) -> TicketVerdict:
        from sync.replica.queries import revoked_tickets, signing_keys

        keys = signing_keys.active_keys(session, event_id)

        def revoked(code: str) -> str | None:
            return revoked_tickets.reason(session, event_id, code)

        try:
            ticket = verify_signed(signed, event_id, keys, revoked=revoked, now=self.clock())
        except TicketError as exc:
            return TicketVerdict(exc.code, exc.reason, None)
        return TicketVerdict(None, "", ticket)

    def add_to_roster(self, session, ticket: Ticket, now: datetime):
        """Insert a verified ticket's attendee into the replica; the roster sync brings the full row later.

        The id is the one the server gives this ticket's attendee, so the synced row replaces this one.
        """
        from sync.clock import to_sqlite
        from sync.replica.queries import attendees

        attendee = attendees.by_id(session, ticket.canonical_attendee_id)
        if attendee is not None:
            return attendee
        first, _, last = ticket.name.strip().partition(" ")
        return attendees.insert_ticket_holder(session, ticket.canonical_attendee_id, ticket.event_id,
                                              first or ticket.code, last.strip(), ticket.code, to_sqlite(now))


def _utc(seconds: int | None) -> datetime | None:
    if seconds is None:
        return None
    from datetime import timezone

    return datetime.fromtimestamp(seconds, timezone.utc).replace(tzinfo=None)


def _shown(seconds: int) -> str:
    return _utc(seconds).strftime("%Y-%m-%d %H:%M UTC")
