"""Enrolling a kiosk: a one-time code (typed, pasted or scanned as a QR) for a device token.

The organizer's screen shows ``checkin-kiosk://enroll?server=<url>&code=<code>``
as a QR code; the kiosk exchanges the code for a device token, which goes to
the OS keyring (see :mod:`sync.credentials`), never to a file of settings or a log.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import delete

from sync.client import ApiClient, SyncError, normalise_server_url
from sync.credentials import CredentialStore
from sync.replica import Replica
from sync.replica.models import SyncState
from sync.status import CURSOR_KEYS, K_CONNECTIVITY, K_DEVICE, K_DOOR, K_EVENT, K_FAILURES, K_LAST_ERROR, K_SERVER

ENROLL_URI_PREFIX = "checkin-kiosk://enroll"
MAX_CODE_CHARS = 64


class EnrollmentError(SyncError):
    retryable = False


@dataclass(frozen=True)
class EnrollmentCode:
    server: str | None  # None when only a code was given
    code: str


@dataclass(frozen=True)
class Enrollment:
    server: str
    device_id: str
    event_id: str
    door: str
    name: str
    token_stored_in: str  # where the token went (never the token itself)


def parse_enrollment(text: str, server: str | None = None) -> EnrollmentCode:
    """A pasted code, or the enrollment QR payload; ``server`` fills in when the payload has none."""
    text = (text or "").strip()
    if text.lower().startswith(ENROLL_URI_PREFIX):
        query = parse_qs(urlsplit(text).query)
        code = (query.get("code") or [""])[0].strip()
        server = (query.get("server") or [server or ""])[0].strip() or server
    else:
        code = text
    if not code:
        raise EnrollmentError("The enrollment code is missing.", code="bad_code")
    if len(code) > MAX_CODE_CHARS or any(ch.isspace() or not ch.isprintable() for ch in code):
        raise EnrollmentError("This is not an enrollment code (too long, or spaces in it).", code="bad_code")
    return EnrollmentCode(normalise_server_url(server) if server else None, code)


def enroll(
    replica: Replica,
    text: str,
    server: str | None = None,
    *,
    credentials: CredentialStore | None = None,
    name: str | None = None,
    app_version: str = "",
    client: ApiClient | None = None,
) -> Enrollment:
    """Exchange the code for a device token, store it, and point the replica at the server's event."""
    parsed = parse_enrollment(text, server)
    if parsed.server is None:
        raise EnrollmentError("Which server? Give its address (e.g. http://192.168.1.10:8000).", code="no_server")
    own_client = client is None
    client = client or ApiClient(parsed.server)
    try:
        reply = client.enroll(parsed.code, replica.device_id, name or platform.node(), app_version)
    finally:
        if own_client:
            client.close()
    store = credentials or CredentialStore(replica.path.parent, reply.device_id)
    store.device_id = reply.device_id
    store.save(reply.device_token)
    previous = (replica.get_state(K_SERVER), replica.get_state(K_EVENT))
    with replica.session() as s:
        if previous != (parsed.server, reply.event_id):
            # Another server or event: its sequence numbers mean nothing here, start over.
            s.execute(delete(SyncState).where(SyncState.key.in_(CURSOR_KEYS)))
        # Whatever went wrong before enrolling (no token, revoked) is history now.
        s.execute(delete(SyncState).where(SyncState.key.in_((K_CONNECTIVITY, K_LAST_ERROR, K_FAILURES))))
        for key, value in ((K_SERVER, parsed.server), (K_EVENT, reply.event_id),
                           (K_DEVICE, reply.device_id), (K_DOOR, reply.door)):
            s.merge(SyncState(key=key, value=value))
    return Enrollment(parsed.server, reply.device_id, reply.event_id, reply.door, reply.name, store.where)
