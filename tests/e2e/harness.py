"""The real pieces, wired for tests: the reference server over real HTTP on loopback, and kiosks.

:class:`LiveServer` runs ``sync.server.create_app`` in a
:class:`~sync.server.thread.ServerThread` and can be stopped and started again
on the same port and database (the Wi-Fi dies, the Wi-Fi returns). :class:`Kiosk` is one enrolled replica with its desk
and its sync engine, exactly as the app wires them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from keyring.backends import fail

from kiosk.core.desk import CheckinDesk
from sync import wire
from sync.client import ApiClient
from sync.credentials import CredentialStore
from sync.engine import SyncEngine
from sync.enrollment import enroll
from sync.replica import Replica, open_replica
from sync.server import admin
from sync.server.app import ServerSettings, create_app
from sync.server.thread import ServerThread, free_port


def roster_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["first_name", "last_name", "email", "ticket_code", "status"])
    writer.writeheader()
    for row in rows:
        writer.writerow({"status": "confirmed", **row})
    return out.getvalue().encode()


class LiveServer:
    """The reference server on 127.0.0.1:<port>, restartable on the same port and database."""

    def __init__(self, db_path: Path, port: int | None = None):
        self.db_url = f"sqlite:///{db_path}"
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._serving: ServerThread | None = None
        self.db = admin.open_database(self.db_url)
        self.admin_token = admin.new_admin_token(self.db, "tests")

    def start(self) -> "LiveServer":
        app = create_app(self.db_url, ServerSettings(stream_poll_seconds=0.2))
        self._serving = ServerThread(app, self.port).start(timeout=10)
        return self

    def stop(self) -> None:
        if self._serving is not None:
            self._serving.stop()
            self._serving = None

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


@dataclass
class Kiosk:
    """One enrolled kiosk: its replica, its door desk and its sync engine."""

    name: str
    data_dir: Path
    replica: Replica
    engine: SyncEngine
    door: str
    credentials: CredentialStore
    _desk: CheckinDesk | None = field(default=None, repr=False)

    @property
    def desk(self) -> CheckinDesk:
        if self._desk is None or self._desk.event_id is None:
            self._desk = CheckinDesk(self.replica, door=self.door, operator=f"staff-{self.name}")
        return self._desk

    def close(self) -> None:
        self.engine.close()
        self.replica.close()


def enroll_kiosk(server: LiveServer, event_id: str, data_dir: Path, name: str, *,
                 server_url: str | None = None, download: bool = True, **engine_options) -> Kiosk:
    """Enroll a fresh replica with a one-time code, as ``kiosk enroll`` does; the engine
    talks to ``server_url`` (e.g. a fault proxy) instead of the server when given."""
    replica = open_replica(data_dir)
    door = f"Door {name}"
    code = server.enrollment_code(event_id, door=door)
    # No desktop session in tests: the real fail backend, so the token takes the 0600 file path.
    credentials = CredentialStore(data_dir, replica.device_id, fail.Keyring())
    enroll(replica, f"checkin-kiosk://enroll?server={server.url}&code={code}", credentials=credentials, name=name)
    url = server_url or server.url
    timeout = engine_options.pop("timeout", 5.0)

    def client_factory() -> ApiClient:
        return ApiClient(url, credentials.load(), timeout=timeout)

    options = {"interval": 0.5, "max_backoff": 2.0, **engine_options}
    engine = SyncEngine(replica, client_factory=client_factory, credentials=credentials, **options)
    kiosk = Kiosk(name, data_dir, replica, engine, door, credentials)
    if download:
        report = engine.download()
        assert report.ok, report.error
    return kiosk
