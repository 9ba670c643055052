"""Fixtures: every server test runs on SQLite and on PostgreSQL (when KIOSK_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pytest

from tests.sync.server.support import POSTGRES_ENV, Api, LiveServer, PostgresSchema, close_clients, roster_csv

ROSTER = [
    ("Ada", "Lovelace", "ada@example.org", "ADA-0001"),
    ("Grace", "Hopper", "grace@example.org", "GRACE-0002"),
    ("Alan", "Turing", "alan@example.org", "ALAN-0003"),
    ("Edsger", "Dijkstra", "edsger@example.org", "EDSGER-0004", "waitlisted"),
    ("Émilie", "du Châtelet", "emilie@example.org", "EMILIE-0005"),
]


@pytest.fixture(autouse=True)
def closed_clients():
    """Every API client a test made is closed when it ends (warnings are errors: no leaked sockets)."""
    yield
    close_clients()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.sqlite3'}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set (see .ci/postgres.sh)")
    schema = PostgresSchema(base)
    try:
        yield schema.url
    finally:
        schema.drop()


@pytest.fixture
def server(db_url):
    live = LiveServer(db_url).start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
def organizer(server):
    api = Api(server.url, server.admin_token)
    yield api
    api.close()


@dataclass
class Setup:
    event_id: str
    device_id: str
    device: Api
    organizer: Api
    server: LiveServer
    clients: list[Api] = field(default_factory=list)  # closed when the test ends

    def enroll(self, door: str = "Door 2", device_id: str | None = None) -> tuple[str, Api]:
        path = f"/events/{self.event_id}/enrollment-codes"
        code = self.organizer.data("post", path, {"door": door}, expect=201)["code"]
        anonymous = Api(self.server.url)
        try:
            enrolled = anonymous.data("post", "/devices/enroll", {"code": code, "device_id": device_id,
                "name": "kiosk"})
        finally:
            anonymous.close()
        client = Api(self.server.url, enrolled["device_token"])
        self.clients.append(client)
        return enrolled["device_id"], client

    def close(self) -> None:
        for client in self.clients:
            client.close()


@pytest.fixture
def setup(server, organizer):
    """An event with the ROSTER imported and one enrolled device at Door 1."""
    event = organizer.data("post", "/events", {"name": "Demo Conference", "venue_capacity": 500}, expect=201)
    organizer.data("post", f"/events/{event['id']}/roster", content=roster_csv(ROSTER),
                   headers={"Content-Type": "text/csv"})
    made = Setup(event["id"], "", None, organizer, server)
    made.device_id, made.device = made.enroll("Door 1", device_id="dev-a")
    yield made
    made.close()
