"""The reference API backend passes the backend contract, against the real reference server over HTTP."""

from __future__ import annotations

import pytest

from sync.backends.reference import ReferenceBackend
from tests.e2e.harness import LiveServer
from tests.sync.backends.contract import BackendContract
from tests.sync.server.support import free_port


class ReferenceCentral:
    """The reference server on 127.0.0.1, driven as an organizer would."""

    def __init__(self, server: LiveServer):
        self.server = server
        self.url = server.url

    def new_event(self, rows: list[dict]) -> str:
        return self.server.create_event(rows)

    def enrollment_code(self, event_id: str) -> str:
        return self.server.enrollment_code(event_id)

    def connect(self, token: str | None) -> ReferenceBackend:
        return ReferenceBackend.connect(self.url, token, timeout=5)

    def revoke(self, device_id: str) -> None:
        self.server.revoke_device(device_id)


class TestReferenceBackend(BackendContract):
    @pytest.fixture
    def central(self, tmp_path):
        server = LiveServer(tmp_path / "server.sqlite3").start()
        yield ReferenceCentral(server)
        server.stop()

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
