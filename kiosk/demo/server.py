"""The demo's central server: the reference API on SQLite in the demo folder, on 127.0.0.1."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from kiosk.demo.roster import DEMO_EVENT_NAME, DemoAttendee, roster_csv


class DemoError(Exception):
    """The demo cannot be set up (port, disk, server); the message says what to do."""


class DemoServer:
    """``sync.server.app.create_app`` on ``db_path``, served by a :class:`~sync.server.thread.ServerThread`."""

    def __init__(self, db_path: Path):
        from sync.server.app import create_app

        self.app = create_app(f"sqlite:///{db_path}")
        self.db = self.app.state.db
        self._serving = None

    @property
    def url(self) -> str:
        return self._serving.url

    @property
    def port(self) -> int:
        return self._serving.port

    def start(self, port: int | None = None) -> "DemoServer":
        """On ``port`` when it is free (the kiosk enrolled last time knows it), else on any free port."""
        from sync.server.thread import ServerStartError, ServerThread

        problem = None
        for candidate in ([port] if port else []) + [0]:
            try:
                self._serving = ServerThread(self.app, candidate, name="demo-server").start()
                return self
            except ServerStartError as exc:
                problem = exc
        self.db.dispose()
        raise DemoError(f"the demo server could not start: {problem}")

    def stop(self) -> None:
        serving, self._serving = self._serving, None
        if serving is not None:
            serving.stop()
        self.db.dispose()


def create_demo_event(server: DemoServer, roster: list[DemoAttendee]) -> str:
    """The demo event, today at 9:00 in this machine's zone, with ``roster``; returns its id."""
    from sync import wire
    from sync.server import admin

    today = datetime.now().replace(hour=9, minute=0, second=0, microsecond=0)
    request = wire.CreateEventRequest(name=DEMO_EVENT_NAME, venue_capacity=len(roster) + 50,
                                      timezone=local_zone_name(), starts_at=today.astimezone())
    event, _ = admin.new_event(server.db, request, roster_csv(roster))
    return event.id


def local_zone_name() -> str:
    """The IANA name of this machine's zone when it can be found, else UTC."""
    try:
        link = Path("/etc/localtime").resolve()
        if "zoneinfo" in link.parts:
            name = "/".join(link.parts[link.parts.index("zoneinfo") + 1:])
            from zoneinfo import ZoneInfo

            ZoneInfo(name)
            return name
    except (OSError, ValueError, Exception):
        pass
    return "UTC"
