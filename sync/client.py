"""The kiosk's HTTP client of the reference central API (see docs/api.md).

It lives in :mod:`sync.backends.reference` now, with the errors every backend
raises in :mod:`sync.backends.errors`; this module keeps the names other code
imports from here.
"""

from __future__ import annotations

from sync import wire
from sync.backends.errors import (
    AuthError,
    BadReplyError,
    NetworkError,
    OfflineError,
    RequestRefusedError,
    ServerError,
    SyncError,
)
from sync.backends.http import CONNECT_TIMEOUT, DEFAULT_TIMEOUT
from sync.backends.http import normalise_server_url as _normalise
from sync.backends.reference import AUTH_CODES, ApiClient

__all__ = ["ApiClient", "AuthError", "BadReplyError", "NetworkError", "OfflineError", "RequestRefusedError",
           "ServerError", "SyncError", "normalise_server_url", "AUTH_CODES", "DEFAULT_TIMEOUT", "CONNECT_TIMEOUT"]


def normalise_server_url(url: str) -> str:
    """``host:8000`` or ``http://host:8000/api/v1`` -> ``http://host:8000``; refuses anything else."""
    return _normalise(url, wire.API_PREFIX)
