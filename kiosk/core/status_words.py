"""How the sync state reads to a person: the door's status line and ``kiosk status`` alike.

Qt-free. Each connectivity has its words and, when not online, the reason in
plain words with what to do about it (from the engine's last error).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sync import clock

ONLINE, OFFLINE, DEGRADED, NOT_ENROLLED = "online", "offline", "degraded", "not_enrolled"

CONNECTIVITY_WORDS = {
    ONLINE: "Online",
    OFFLINE: "Offline",
    DEGRADED: "Server trouble",
    NOT_ENROLLED: "No server (this kiosk works alone)",
}

# What the engine's last error means, in order: the first phrase found wins.
_REASONS = (
    ("no longer accepts this kiosk's token", "This kiosk was revoked by the organizer: enroll it again"),
    ("not enrolled", "This kiosk is not enrolled: enroll it from the staff desk"),
    ("no device token", "This kiosk has no device token: enroll it again"),
    ("disk is full", "The disk is full: free some space (nothing has been lost)"),
)


@dataclass(frozen=True)
class SyncStatus:
    """The sync state as the screens and the CLI show it (read by ``KioskSession.sync_status``)."""

    connectivity: str = NOT_ENROLLED
    waiting_to_sync: int = 0
    last_sync: datetime | None = None  # aware, UTC
    last_error: str | None = None
    server: str | None = None
    clock_offset_seconds: float | None = None
    not_stored: int = 0  # check-ins (and walk-ins) the server refused: not in the organizer's figures
    zone: tzinfo | None = None  # the event's time zone, in which times are shown (None: UTC)

    @classmethod
    def of(cls, status: dict, zone: tzinfo | None = None) -> "SyncStatus":
        """From ``sync.status.sync_status`` (or a sync report's fields), times shown in ``zone``."""
        return cls(
            connectivity=status.get("connectivity") or NOT_ENROLLED,
            waiting_to_sync=int(status.get("waiting_to_sync") or 0),
            last_sync=parse_utc(status.get("last_sync")),
            last_error=status.get("last_error") or None,
            server=status.get("server"),
            clock_offset_seconds=status.get("clock_offset_seconds"),
            not_stored=int(status.get("not_stored") or 0),
            zone=zone,
        )


def event_zone(name: str | None) -> tzinfo:
    """The event's time zone from its IANA name; UTC when it has none or an unknown one."""
    try:
        return ZoneInfo(name) if name else timezone.utc
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def clock_words(moment: datetime, zone: tzinfo | None) -> str:
    """"09:14" in the event's zone, named ("09:14 CET") when this machine's clock reads another
    time: the door shows event times ("Came in at 09:14"), so every time beside them is one too.
    """
    zone = zone or timezone.utc
    shown = moment.astimezone(zone)
    named = shown.utcoffset() != moment.astimezone().utcoffset()
    return f"{shown:%H:%M} {shown.tzname()}" if named else f"{shown:%H:%M}"


def parse_utc(value) -> datetime | None:
    """A stored UTC time (ISO text, with or without Z, or a naive UTC datetime) as an aware datetime."""
    moment = value if isinstance(value, datetime) else clock.parse_utc(value)
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def queue_words(connectivity: str, waiting: int) -> str:
    plural = "s" if waiting != 1 else ""
    if connectivity == NOT_ENROLLED:
        return f"{waiting} check-in{plural} recorded here" if waiting else ""
    return f"{waiting} check-in{plural} waiting to sync" if waiting else "everything synced"


def reason_words(status: SyncStatus) -> str:
    """Why the kiosk is not online, with the fix; empty when online or when nothing is known."""
    if status.connectivity in (ONLINE, NOT_ENROLLED):
        return ""
    error = (status.last_error or "").strip()
    lowered = error.lower()
    for phrase, words in _REASONS:
        if phrase in lowered:
            return words
    if status.connectivity == OFFLINE:
        return ""  # "Offline" says it all: scans are kept here and sent when the network is back
    if error:
        return error.rstrip(".")
    return ""


def describe_status(status: SyncStatus) -> str:
    """One line, e.g. "Offline — 212 check-ins waiting to sync · last sync 09:14 · The server cannot…"."""
    words = CONNECTIVITY_WORDS.get(status.connectivity, status.connectivity.capitalize())
    queue = queue_words(status.connectivity, status.waiting_to_sync)
    parts = [words + (f" — {queue}" if queue else "")]
    if status.connectivity != NOT_ENROLLED:
        parts.append(f"last sync {clock_words(status.last_sync, status.zone)}" if status.last_sync
                     else "never synced")
    reason = reason_words(status)
    if reason:
        parts.append(reason)
    if status.not_stored:
        parts.append(not_stored_words(status.not_stored))
    return " · ".join(parts)


def not_stored_words(count: int) -> str:
    """Scans recorded here that the server refused: said wherever sync is described, never silent."""
    items = f"{count} scan{'s' if count != 1 else ''}"
    return f"{items} refused by the server, not in the organizer's figures: resend from the staff desk"
