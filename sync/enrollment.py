"""Enrolling a kiosk: a one-time code (typed, pasted or scanned as a QR) for a device token.

The organizer's screen shows ``checkin-kiosk://enroll?server=<url>&code=<code>``
as a QR code; the kiosk exchanges the code for a device token, which goes to
the OS keyring (see :mod:`sync.credentials`), never to a file of settings or a log.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from sync.backends import K_BACKEND
from sync.backends.base import CentralBackend
from sync.backends.errors import SyncError
from sync.backends.reference import ApiClient, ReferenceBackend
from sync.client import normalise_server_url
from sync.credentials import CredentialStore
from sync.replica import Replica
from sync.replica.queries import sync_state
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
    backend: CentralBackend | None = None,
    client: ApiClient | None = None,
) -> Enrollment:
    """Exchange the code for a device token, store it, and point the replica at the server's event.

    ``backend`` (or the older ``client``, an :class:`ApiClient`) talks to the server; by default
    the reference API at the code's server, closed afterwards.
    """
    parsed = parse_enrollment(text, server)
    if parsed.server is None:
        raise EnrollmentError("Which server? Give its address (e.g. http://192.168.1.10:8000).", code="no_server")
    own_backend = backend is None and client is None
    if backend is None:
        backend = ReferenceBackend(client) if client is not None else ReferenceBackend.connect(parsed.server)
    try:
        grant = backend.enroll(parsed.code, device_id=replica.device_id, name=name or platform.node(),
                               app_version=app_version)
    finally:
        if own_backend:
            backend.close()
    store = credentials or CredentialStore(replica.path.parent, grant.device_id)
    store.device_id = grant.device_id
    store.save(grant.device_token)
    previous = (replica.get_state(K_SERVER), replica.get_state(K_EVENT), replica.get_state(K_BACKEND) or backend.kind)
    with replica.session() as s:
        if previous != (parsed.server, grant.event_id, backend.kind):
            # Another server or event: its cursors mean nothing here, start over.
            sync_state.delete(s, CURSOR_KEYS)
        # Whatever went wrong before enrolling (no token, revoked) is history now.
        sync_state.delete(s, (K_CONNECTIVITY, K_LAST_ERROR, K_FAILURES))
        sync_state.put_many(s, {K_SERVER: parsed.server, K_EVENT: grant.event_id, K_DEVICE: grant.device_id,
                                K_DOOR: grant.door, K_BACKEND: backend.kind})
    return Enrollment(parsed.server, grant.device_id, grant.event_id, grant.door, grant.name, store.where)
