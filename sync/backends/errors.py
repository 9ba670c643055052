"""What can go wrong talking to a central server, whichever server it is.

Every backend turns whatever goes wrong on the way — no network, a timeout, a
cut connection, an HTTP 500, a reply that is not what its API promises, a
revoked token — into one of these, with one sentence for a person. The sync
engine catches only :class:`SyncError` and decides from the class whether the
kiosk is offline (nothing reached a server) or degraded (a server that fails).
"""

from __future__ import annotations


class SyncError(Exception):
    """A call to the central server failed; ``str()`` is one sentence for a person.

    ``retryable`` says whether the same call may succeed later without anyone
    doing anything (network and server trouble) or not (a revoked token).
    """

    retryable = True

    def __init__(self, message: str, *, code: str = "", status: int | None = None):
        super().__init__(message)
        self.code = code
        self.status = status


class OfflineError(SyncError):
    """The server cannot be reached at all (no route, refused, DNS, connect timeout)."""


class NetworkError(SyncError):
    """The server was reached but the exchange broke off (reset, cut reply, timeout)."""


class ServerError(SyncError):
    """The server answered with a 5xx (or 429): its trouble, try later."""


class BadReplyError(SyncError):
    """The reply is not what the API promises: not JSON, too large, truncated, the wrong shape,
    or making no sense (a cursor beyond the server's newest change)."""


class AuthError(SyncError):
    """The token (or enrollment code) is unknown, revoked or not for this event."""

    retryable = False


class RequestRefusedError(SyncError):
    """The server refused the request itself (4xx): sending it again as it is will not help."""

    retryable = False


class NotEnrolledError(SyncError):
    """No server or no device token: the kiosk must be enrolled first."""

    retryable = False
