"""The reference API backend passes the backend contract, against the real reference server over HTTP
(on SQLite, and on PostgreSQL when KIOSK_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import os

import pytest

from sync import wire
from sync.backends.reference import ReferenceBackend
from sync.server import admin
from tests.e2e.harness import roster_csv
from tests.sync.backends.contract import BackendContract
from tests.sync.server.support import POSTGRES_ENV, LiveServer, PostgresSchema, free_port


class ReferenceCentral:
    """The reference server on 127.0.0.1, driven as an organizer would from the server's host."""

    def __init__(self, server: LiveServer):
        self.server = server
        self.url = server.url

    def new_event(self, rows: list[dict]) -> str:
        event, _ = admin.new_event(self.server.db, wire.CreateEventRequest(name="Contract"), roster_csv(rows))
        return event.id

    def enrollment_code(self, event_id: str) -> str:
        return admin.new_enrollment_code(self.server.db, event_id).code

    def connect(self, token: str | None) -> ReferenceBackend:
        return ReferenceBackend.connect(self.url, token, timeout=5)

    def revoke(self, device_id: str) -> None:
        admin.revoke(self.server.db, device_id)


class TestReferenceBackend(BackendContract):
    @pytest.fixture(params=["sqlite", "postgresql"])
    def central(self, request, tmp_path):
        schema = None
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
        else:
            base = os.environ.get(POSTGRES_ENV)
            if not base:
                pytest.skip(f"{POSTGRES_ENV} is not set (see .ci/postgres.sh)")
            schema = PostgresSchema(base)
            url = schema.url
        server = LiveServer(url).start()
        try:
            yield ReferenceCentral(server)
        finally:
            server.stop()
            if schema is not None:
                schema.drop()

    @pytest.fixture
    def unreachable(self):
        with ReferenceBackend.connect(f"http://127.0.0.1:{free_port()}", "token", timeout=2) as backend:
            yield backend

    def test_cursors_are_the_servers_sequence_numbers(self, enrolled, event_id):
        _, backend = enrolled
        page = backend.pull("roster", event_id, None, 5)
        assert int(page.cursor) == page.items[-1].seq and page.high_water >= int(page.cursor)
        assert backend.max_batch == 1000 and backend.max_page == 5000

    def test_a_feed_that_delivered_nothing_is_still_at_its_start(self, enrolled):
        _, backend = enrolled
        assert backend.at_start(None) and backend.at_start("0") and not backend.at_start("7")
