"""Central servers a kiosk can sync with, each behind :class:`sync.backends.base.CentralBackend`.

A kiosk remembers which kind it enrolled with (``sync.backend`` in its sync
state); :func:`open_backend` makes that kind from the stored server address and
the device token in the keyring. Kinds are imported only when used.

Adding a kind of server (pretix's REST API, say) is one module here with a
``CentralBackend`` subclass, one line in :data:`KINDS`, and a test class that
inherits ``tests/sync/backends/contract.py``; the engine and the replica stay as
they are. What differs lives in the subclass: ``max_batch = 1`` and a loop of
single redeems in ``push_checkins``; cursors of its own making (a JSON string of
``modified_since`` and page number) checked in ``pull``; the device handshake in
``enroll``; its event id its own opaque identifier (``organizer:event:list``,
within ``wire.Identifier``); records translated to the ``sync.wire`` ones the
replica applies. Enrolling (``sync.enrollment``) must learn to recognise its
setup QR code.
"""

from __future__ import annotations

from datetime import datetime
from importlib import import_module
from typing import TYPE_CHECKING, Callable

from sync.backends.base import CentralBackend, FeedPage, Grant
from sync.backends.errors import NotEnrolledError
from sync.clock import utcnow

if TYPE_CHECKING:
    from sync.credentials import CredentialStore
    from sync.replica import Replica

K_BACKEND = "sync.backend"  # which kind of central server the kiosk is enrolled with
DEFAULT_KIND = "reference"

# kind -> "module:class"; a new kind of server is one more line here and its module.
KINDS = {
    "reference": "sync.backends.reference:ReferenceBackend",
}

__all__ = ["CentralBackend", "FeedPage", "Grant", "K_BACKEND", "KINDS", "backend_class", "open_backend"]


def backend_class(kind: str) -> type[CentralBackend]:
    try:
        module, name = KINDS[kind].split(":")
    except KeyError:
        raise NotEnrolledError(f"This kiosk was enrolled with a kind of server this version does not know "
                               f"({kind!r}): update the app or enroll it again.", code="not_enrolled") from None
    return getattr(import_module(module), name)


def open_backend(replica: "Replica", credentials: "CredentialStore | None" = None, *,
                 clock: Callable[[], datetime] = utcnow) -> CentralBackend:
    """The backend the replica is enrolled with; :class:`NotEnrolledError` when it is not."""
    from sync.credentials import CredentialError, CredentialStore
    from sync.status import K_SERVER

    server = replica.get_state(K_SERVER)
    if not server:
        raise NotEnrolledError("This kiosk is not enrolled with a server (run: kiosk enroll).", code="not_enrolled")
    store = credentials or CredentialStore(replica.path.parent, replica.device_id)
    try:
        token = store.load()
    except CredentialError as exc:
        raise NotEnrolledError(str(exc), code="not_enrolled") from exc
    if not token:
        raise NotEnrolledError("No device token is stored for this kiosk: enroll it again.", code="not_enrolled")
    kind = replica.get_state(K_BACKEND) or DEFAULT_KIND
    return backend_class(kind).connect(server, token, clock=clock)
