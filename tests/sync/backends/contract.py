"""What every central backend must do, as tests any backend's test class inherits (the dangerzone model).

A backend's test module subclasses :class:`BackendContract` and provides three
fixtures: ``central`` (a :class:`Central`: the real server of that kind, and what
an organizer does on it), ``backend`` (a backend enrolled with it, connected)
and ``unreachable`` (a backend whose server address nothing listens on). The
tests use only the :class:`CentralBackend` interface and the ``sync.wire``
records it returns, so they hold for a server with one request per redeem and
its own paging as well as for the reference API.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Protocol

import pytest

from sync import wire
from sync.backends.base import CHECKINS, ROSTER, CentralBackend, FeedPage, Grant
from sync.backends.errors import AuthError, OfflineError, SyncError
from sync.clock import utcnow

ROSTER_ROWS = [
    {"first_name": f"Kim{i}", "last_name": "Contract", "email": f"kim{i}@example.org", "ticket_code": f"CT-{i:04d}"}
    for i in range(12)
]


class Central(Protocol):
    """The server a backend talks to, as the organizer drives it in a test."""

    url: str

    def new_event(self, rows: list[dict]) -> str: ...

    def enrollment_code(self, event_id: str) -> str: ...

    def connect(self, token: str | None) -> CentralBackend: ...

    def revoke(self, device_id: str) -> None: ...


def pull_all(backend: CentralBackend, feed: str, event_id: str, cursor: str | None = None,
             limit: int = 1000) -> tuple[list, str | None, int]:
    """Every item of a feed after ``cursor``: (items, last cursor, pages)."""
    items, pages = [], 0
    while True:
        page = backend.pull(feed, event_id, cursor, limit)
        assert isinstance(page, FeedPage) and isinstance(page.cursor, str)
        items.extend(page.items)
        cursor, pages = page.cursor, pages + 1
        if not page.has_more:
            return items, cursor, pages
        assert pages < 1000, "a feed that never ends"


def checkin_item(event_id: str, device_id: str, code: str, attendee_id: str | None = None) -> dict:
    """A check-in exactly as ``sync.outbox.checkin_item`` queues it."""
    return {
        "id": str(uuid.uuid4()), "event_id": event_id, "attendee_id": attendee_id, "ticket_code": code,
        "kind": "entry", "result": "admitted", "undoes_id": None, "device_id": device_id, "door": "Contract door",
        "operator": "contract", "device_time": wire.format_utc(utcnow() - timedelta(seconds=5)),
    }


def walkin_item(event_id: str, device_id: str) -> dict:
    """A walk-in exactly as ``sync.outbox.walkin_item`` queues it."""
    walkin_id = str(uuid.uuid4())
    return {
        "id": walkin_id, "event_id": event_id, "first_name": "Walk", "last_name": "In", "email": None,
        "ticket_code": f"WI-{walkin_id[:8]}", "ticket_type": "Walk-in", "plus_ones": 0, "device_id": device_id,
        "created_at": wire.format_utc(utcnow()),
    }


class BackendContract:
    """Inherit, and provide the ``central``, ``enrolled`` and ``unreachable`` fixtures."""

    @pytest.fixture
    def event_id(self, central: Central) -> str:
        return central.new_event(ROSTER_ROWS)

    @pytest.fixture
    def enrolled(self, central: Central, event_id: str):
        """(grant, backend) of a device enrolled with the event, the backend connected with its token."""
        with central.connect(None) as anonymous:
            grant = anonymous.enroll(central.enrollment_code(event_id), device_id=None, name="contract")
        backend = central.connect(grant.device_token)
        yield grant, backend
        backend.close()

    # ---- what it declares ---------------------------------------------------------

    def test_it_declares_its_kind_and_limits(self, central: Central):
        with central.connect(None) as backend:
            assert backend.kind and isinstance(backend.kind, str)
            assert backend.max_batch >= 1 and backend.max_page >= 1
            assert backend.requests == 0 and backend.clock_offset is None

    # ---- enrolling ----------------------------------------------------------------------

    def test_a_one_time_code_gives_a_token_for_the_event_once(self, central: Central, event_id: str):
        code = central.enrollment_code(event_id)
        with central.connect(None) as anonymous:
            grant = anonymous.enroll(code, device_id=None, name="contract")
            assert isinstance(grant, Grant) and grant.event_id == event_id
            assert grant.device_id and grant.device_token
            with pytest.raises(AuthError) as refused:
                anonymous.enroll(code, device_id=None, name="again")
        assert not refused.value.retryable and grant.device_token not in str(refused.value)

    def test_a_revoked_device_is_refused_and_told_to_enroll_again(self, central: Central, enrolled, event_id):
        grant, backend = enrolled
        central.revoke(grant.device_id)
        with pytest.raises(AuthError) as refused:
            backend.event(event_id)
        assert not refused.value.retryable and grant.device_token not in str(refused.value)

    def test_an_unreachable_server_is_offline(self, unreachable: CentralBackend):
        with pytest.raises(OfflineError) as err:
            unreachable.event("any-event")
        assert err.value.retryable

    # ---- pull -----------------------------------------------------------------------

    def test_the_event_comes_with_its_signing_keys(self, enrolled, event_id):
        _, backend = enrolled
        event = backend.event(event_id)
        assert isinstance(event, wire.Event) and event.id == event_id
        assert any(key.active for key in event.signing_keys)
        assert backend.requests >= 1 and backend.clock_offset is not None and abs(backend.clock_offset) < 60

    def test_the_roster_feed_pages_to_its_end_and_then_has_nothing_new(self, enrolled, event_id):
        _, backend = enrolled
        items, cursor, pages = pull_all(backend, ROSTER, event_id, limit=5)
        codes = sorted(i.ticket_code for i in items if isinstance(i, wire.AttendeeChange))
        assert codes == sorted(r["ticket_code"] for r in ROSTER_ROWS) and pages >= 3
        again = backend.pull(ROSTER, event_id, cursor, 5)
        assert again.items == [] and not again.has_more and again.remaining == 0

    def test_progress_adds_up_to_the_whole_feed(self, enrolled, event_id):
        _, backend = enrolled
        page = backend.pull(ROSTER, event_id, None, 5)
        assert page.advanced > 0 and page.remaining > 0 and page.has_more
        done = page.advanced
        while page.has_more:
            page = backend.pull(ROSTER, event_id, page.cursor, 5)
            done += page.advanced
        assert page.remaining == 0 and done > 0

    # ---- push -----------------------------------------------------------------------

    def test_checkins_get_one_verdict_each_in_order_and_pushing_again_stores_nothing_twice(self, enrolled, event_id):
        grant, backend = enrolled
        items = [checkin_item(event_id, grant.device_id, f"CT-{i:04d}") for i in range(min(5, 3 * backend.max_batch))]
        verdicts = backend.push_checkins(event_id, items[:backend.max_batch])
        verdicts += backend.push_checkins(event_id, items[backend.max_batch:]) if len(items) > backend.max_batch else []
        assert [v.id for v in verdicts] == [i["id"] for i in items]
        assert {v.status for v in verdicts} == {"accepted"}
        again = backend.push_checkins(event_id, items[:1])  # a retry after a lost reply
        assert [v.id for v in again] == [items[0]["id"]] and again[0].status != "rejected"
        pulled, _, _ = pull_all(backend, CHECKINS, event_id)
        ids = [entry.id for entry in pulled]
        assert sorted(ids) == sorted(i["id"] for i in items)

    def test_a_second_entry_of_someone_inside_is_a_duplicate_not_a_refusal(self, enrolled, event_id):
        grant, backend = enrolled
        first, second = (checkin_item(event_id, grant.device_id, "CT-0007") for _ in range(2))
        (v1,) = backend.push_checkins(event_id, [first])
        (v2,) = backend.push_checkins(event_id, [second])
        assert v1.status == "accepted" and v2.status == "duplicate"

    def test_a_walkin_is_accepted_and_joins_the_roster_feed(self, enrolled, event_id):
        grant, backend = enrolled
        _, cursor, _ = pull_all(backend, ROSTER, event_id)
        walkin = walkin_item(event_id, grant.device_id)
        (verdict,) = backend.push_walkins(event_id, [walkin])
        assert verdict.id == walkin["id"] and verdict.status == "accepted"
        new, _, _ = pull_all(backend, ROSTER, event_id, cursor)
        assert walkin["id"] in {getattr(item, "id", None) for item in new}

    def test_a_heartbeat_is_taken(self, enrolled):
        _, backend = enrolled
        backend.heartbeat(door="Contract door", waiting=3, last_sync_at=utcnow(), app_version="contract")

    def test_every_failure_is_a_sync_error(self, enrolled):
        _, backend = enrolled
        with pytest.raises(SyncError):
            backend.event("no-such-event")

    # ---- the engine through this backend ------------------------------------------------

    def test_the_engine_keeps_a_kiosk_in_sync_through_it(self, central: Central, event_id, tmp_path):
        from keyring.backends import fail

        from kiosk.core.desk import CheckinDesk
        from sync.credentials import CredentialStore
        from sync.engine import SyncEngine
        from sync.enrollment import enroll
        from sync.replica import open_replica

        replica = open_replica(tmp_path / "kiosk")
        credentials = CredentialStore(tmp_path / "kiosk", replica.device_id, fail.Keyring())
        with central.connect(None) as anonymous:
            enroll(replica, central.enrollment_code(event_id), central.url, credentials=credentials,
                   name="contract", backend=anonymous)
        engine = SyncEngine(replica, backend_factory=lambda: central.connect(credentials.load()),
                            credentials=credentials, page_size=5)
        try:
            first = engine.download()
            assert first.ok, first.error
            assert first.roster_changes == len(ROSTER_ROWS) and first.changes.attendees and first.changes.event
            desk = CheckinDesk(replica, door="Contract door")
            desk.scan("CT-0001")
            desk.scan("CT-0002")
            report = engine.sync_once()
            assert report.ok and report.checkins_pushed == 2 and report.waiting_to_sync == 0
            assert not report.changes.outbox and report.changes.sync_status and not report.changes.event
            quiet = engine.sync_once()
            assert quiet.ok and quiet.changes.names() == ["sync_status"]
        finally:
            engine.close()
            replica.close()
