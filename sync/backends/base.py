"""The central server as the sync engine sees it: one interface, one implementation per kind of server.

The engine never speaks HTTP. It asks a :class:`CentralBackend` for the event,
for pages of a feed ("roster": attendees and revoked tickets; "checkins": the
check-ins of every kiosk), and hands it queued check-ins and walk-ins; every
answer comes back as the ``sync.wire`` records the replica already applies.
What differs between servers stays behind this interface (the dangerzone
``IsolationProvider`` idea, and libpretixsync's one adapter per resource):

- **batching**: :attr:`CentralBackend.max_batch` is how many items one push
  carries; a server with one request per redeem says 1 and loops inside
  :meth:`push_checkins`, the engine still calls it a batch at a time;
- **paging**: a cursor is an opaque string the backend makes and the engine
  stores in the same transaction as the page it follows (a server sequence
  number here, a ``modified_since`` time and page number elsewhere);
- **enrolling**: :meth:`enroll` turns a one-time code into a :class:`Grant`
  (device id, token, event), whatever the handshake behind it.

Every failure is a :class:`sync.backends.errors.SyncError`. The contract every
backend passes is ``tests/sync/backends/contract.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, ClassVar

from sync import wire
from sync.clock import utcnow

# The feeds the engine pulls, in this order.
ROSTER = "roster"  # wire.AttendeeChange and wire.RevocationChange records
CHECKINS = "checkins"  # wire.CheckinLogEntry records


@dataclass(frozen=True)
class FeedPage:
    """One page of a feed, in the order the server applied the changes.

    ``advanced`` and ``remaining`` are progress in the backend's own units
    (server sequence numbers, or records): how much this page covered and how
    much was left after it when the server answered.
    """

    items: list[Any]
    cursor: str  # opaque: where the next page starts; stored with this page
    has_more: bool
    advanced: int = 0
    remaining: int = 0
    high_water: int | None = None  # the server's newest change, when it has such a number (for status)


@dataclass(frozen=True)
class Grant:
    """What enrolling gives a kiosk. The token goes to the keyring, never to a file of settings or a log."""

    device_id: str
    device_token: str
    event_id: str
    door: str = ""
    name: str = ""


class CentralBackend(ABC):
    """One central server, seen from one kiosk. Not thread-safe for two rounds at once:
    the engine runs one round at a time, with at most one request of a push and one
    prefetched page in flight besides it."""

    kind: ClassVar[str]  # stored in the replica's sync state when enrolling
    max_batch: ClassVar[int] = 1  # items one push request carries
    max_page: ClassVar[int] = 1000  # items one page may be asked for
    # time.monotonic() by which the engine's round must end: no request may last beyond it.
    round_deadline: float | None = None

    @classmethod
    @abstractmethod
    def connect(cls, server_url: str, token: str | None = None, *,
                clock: Callable[[], datetime] = utcnow) -> "CentralBackend":
        """The backend of the server at ``server_url`` (``token`` None: only to enroll)."""

    # ---- for the report ---------------------------------------------------------

    @property
    @abstractmethod
    def requests(self) -> int:
        """Requests made so far (the engine reports the difference over a round)."""

    @property
    @abstractmethod
    def clock_offset(self) -> float | None:
        """Seconds: the server's clock minus ours, at the last reply that said (None: unknown)."""

    # ---- enrolling ----------------------------------------------------------------

    @abstractmethod
    def enroll(self, code: str, *, device_id: str | None, name: str = "", app_version: str = "") -> Grant:
        """Exchange a one-time code for a device token (a backend made without a token)."""

    # ---- pull -----------------------------------------------------------------------

    @abstractmethod
    def event(self, event_id: str) -> wire.Event:
        """The event as the server has it now, with its ticket-signing keys."""

    @abstractmethod
    def pull(self, feed: str, event_id: str, cursor: str | None, limit: int) -> FeedPage:
        """Up to ``limit`` changes of ``feed`` after ``cursor`` (None: from the start).

        A page that makes no sense (out of order, a cursor going backwards or
        beyond the server's newest change) raises :class:`BadReplyError`: nothing
        of it may be applied.
        """

    def at_start(self, cursor: str | None) -> bool:
        """Whether a feed at ``cursor`` has delivered nothing yet (its first download: large pages)."""
        return not cursor

    # ---- push -----------------------------------------------------------------------

    @abstractmethod
    def push_checkins(self, event_id: str, items: list[dict]) -> list[wire.CheckinVerdict]:
        """One verdict per item (``sync.wire.CheckinItem`` dicts), in order.

        A request refused as a whole (``RequestRefusedError``) is not a verdict on
        any item: the engine splits the batch and tries again.
        """

    @abstractmethod
    def push_walkins(self, event_id: str, items: list[dict]) -> list[wire.WalkinVerdict]:
        """One verdict per walk-in (``sync.wire.WalkinItem`` dicts), in order."""

    # ---- the rest ---------------------------------------------------------------------

    @abstractmethod
    def heartbeat(self, *, door: str, waiting: int, last_sync_at: datetime | None, app_version: str = "") -> None:
        """Tell the organizer this kiosk is alive (a server without such a call does nothing)."""

    @abstractmethod
    def close(self) -> None:
        """Close connections; the backend is not used again."""

    def __enter__(self) -> "CentralBackend":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
