"""The one live reference server of the tests: ``sync.server.create_app`` over real HTTP on 127.0.0.1.

It runs in a :class:`~sync.server.thread.ServerThread` (the class the demo serves with) and
can be stopped and started again on the same port and database (the Wi-Fi dies, the Wi-Fi
returns). Server tests, end-to-end tests and app tests all use it; ``tests/conftest.py``
offers it as the ``live_server`` fixture.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx

from sync import wire
from sync.client import ApiClient
from sync.server import admin
from sync.server.app import ServerSettings, create_app
from sync.server.thread import ServerThread, free_port

# Live streams poll often in tests, so a change reaches a dashboard in well under a second.
TEST_SETTINGS = ServerSettings(stream_poll_seconds=0.1, stream_heartbeat_seconds=0.5)


def roster_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["first_name", "last_name", "email", "ticket_code", "status"])
    writer.writeheader()
    for row in rows:
        writer.writerow({"status": "confirmed", **row})
    return out.getvalue().encode()


class LiveServer:
    """The reference server on 127.0.0.1:<port>, restartable on the same port and database."""

    def __init__(self, db: Path | str, settings: ServerSettings | None = None, port: int | None = None):
        """``db``: a database URL, or the path of a SQLite file."""
        self.db_url = db if isinstance(db, str) and "://" in db else f"sqlite:///{db}"
        self.settings = settings or TEST_SETTINGS
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._serving: ServerThread | None = None
        self.db = admin.open_database(self.db_url)
        self.admin_token = admin.new_admin_token(self.db, "tests")

    def start(self) -> "LiveServer":
        self.app = create_app(self.db_url, self.settings)
        self._serving = ServerThread(self.app, self.port).start(timeout=10)
        return self

    def stop(self) -> None:
        if self._serving is not None:
            self._serving.stop()
            self._serving = None
            self.app.state.db.dispose()  # the stopped server's connections
        self.db.dispose()  # the tests' own; it reconnects when used again

    @property
    def running(self) -> bool:
        return self._serving is not None

    # ---- organizer operations, over HTTP with an organizer token ------------

    def organizer(self) -> httpx.Client:
        return httpx.Client(base_url=self.url + wire.API_PREFIX, timeout=60,
                            headers={"Authorization": f"Bearer {self.admin_token}"})

    def create_event(self, rows: list[dict], name: str = "Conf") -> str:
        event, _ = admin.new_event(self.db, wire.CreateEventRequest(name=name), roster_csv(rows))
        return event.id

    def import_roster(self, event_id: str, rows: list[dict]) -> wire.RosterImportResult:
        with self.organizer() as http:
            response = http.post(f"/events/{event_id}/roster", content=roster_csv(rows),
                                 headers={"Content-Type": "text/csv"})
        data, _ = wire.unwrap(response.json(), wire.RosterImportResult, response.status_code)
        return data

    def enrollment_code(self, event_id: str, door: str = "") -> str:
        return admin.new_enrollment_code(self.db, event_id, door=door).code

    def revoke_device(self, device_id: str) -> None:
        with self.organizer() as http:
            response = http.delete(f"/devices/{device_id}")
        wire.unwrap(response.json(), wire.DeviceRevoked, response.status_code)

    def stats(self, event_id: str) -> wire.Stats:
        with ApiClient(self.url, self.admin_token) as client:
            return client.stats(event_id)

    def checkin_log(self, event_id: str) -> list[wire.CheckinLogEntry]:
        entries, cursor = [], 0
        with ApiClient(self.url, self.admin_token) as client:
            while True:
                page = client.checkin_page(event_id, cursor)
                entries.extend(page.items)
                cursor = page.next_cursor
                if not page.has_more:
                    return entries
