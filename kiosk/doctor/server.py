"""The central server: does it answer its health check, and does it still accept this kiosk's token?"""

from __future__ import annotations

import time
from pathlib import Path

from kiosk.doctor.replica import enrolled_state
from kiosk.doctor.report import FAIL, OK, WARN, Check

SERVER_TIMEOUT_SECONDS = 3.0

# docs/api.md serves health at /health; /api/v1/health is accepted too (an API behind a path prefix).
HEALTH_PATHS = ("/health", "/api/v1/health")


def _health_data(reply) -> dict:
    try:
        body = reply.json()
    except ValueError:
        return {}
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        return body["data"]  # the {success, data, error, meta} envelope
    return body if isinstance(body, dict) else {}


def check_server(server_url: str) -> Check:
    if not server_url:
        return Check("server", OK, "no server configured: this kiosk runs on its own replica")
    import httpx

    offline = "the kiosk works offline meanwhile and syncs when it can"
    reply = None
    try:
        with httpx.Client(timeout=SERVER_TIMEOUT_SECONDS, follow_redirects=False) as client:
            for path in HEALTH_PATHS:
                started = time.perf_counter()
                reply = client.get(f"{server_url}{path}")
                if reply.status_code != 404:
                    break
    except httpx.ConnectError as exc:
        return Check(
            "server", WARN, f"cannot reach {server_url} ({exc}); {offline}",
            "check the network (Wi-Fi, cable, venue LAN) and the server_url setting",
        )
    except httpx.TimeoutException:
        return Check(
            "server", WARN, f"{server_url} did not answer within {SERVER_TIMEOUT_SECONDS:.0f} s; {offline}",
            "check the network and that the server is running",
        )
    except httpx.HTTPError as exc:
        return Check("server", WARN, f"{server_url} failed: {type(exc).__name__}: {exc}",
                     "check the server_url setting")
    elapsed_ms = (time.perf_counter() - started) * 1000
    if reply.status_code != 200:
        return Check(
            "server", WARN, f"{reply.request.url} answered HTTP {reply.status_code}",
            "is server_url the address of the check-in server (without /api/v1)?",
        )
    health = _health_data(reply)
    version = f", version {health['version']}" if health.get("version") else ""
    if health.get("status") == "degraded" or health.get("database") is False:
        return Check(
            "server", WARN, f"{server_url} answers but reports a problem (status {health.get('status')!r}, "
            f"database {'up' if health.get('database') else 'down'}); {offline}",
            "ask the server's operator to look at its database",
        )
    return Check("server", OK, f"{server_url} is up ({elapsed_ms:.0f} ms{version})")


def check_enrollment(data_dir: Path, backend=None, state: dict[str, str] | None = None) -> Check:
    """Enrolled? Is the device token stored, and does the server still accept it?

    ``state`` is :func:`enrolled_state` when the caller has read it already.
    """
    from sync.client import ApiClient, AuthError, SyncError
    from sync.credentials import CredentialError, CredentialStore

    state = enrolled_state(data_dir) if state is None else state
    if not state:
        return Check("enrollment", OK, "not enrolled with a server: this kiosk works on its own replica "
                     "(`kiosk enroll --code CODE` joins one)")
    server, event_id, device_id = state["server"], state["event_id"], state["device_id"]
    store = CredentialStore(data_dir, device_id, backend)
    again = "make a new enrollment code for this door on the server and enroll again (`kiosk enroll --code CODE`)"
    try:
        token = store.load()
    except CredentialError as exc:
        return Check("enrollment", FAIL, f"enrolled with {server}, but the device token cannot be read ({exc})", again)
    if not token:
        return Check("enrollment", FAIL,
                     f"enrolled with {server}, but no device token is stored ({store.where})", again)
    try:
        with ApiClient(server, token, timeout=SERVER_TIMEOUT_SECONDS) as client:
            client.event(event_id)
    except AuthError as exc:
        return Check("enrollment", FAIL, f"{server} refuses this kiosk's device token: {exc}", again)
    except SyncError as exc:
        return Check("enrollment", WARN, f"enrolled with {server}, but the token could not be checked now ({exc})",
                     "the kiosk works offline meanwhile; see the server check")
    return Check("enrollment", OK, f"enrolled with {server} for event {event_id} as {device_id}; "
                 f"the server accepts its token (kept in {store.where})")
