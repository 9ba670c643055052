"""Setting the demo up in its folder, or reopening it: :func:`start_demo`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.demo.kiosks import DOOR, enroll_demo_kiosk, side_door_arrivals
from kiosk.demo.roster import DEMO_ATTENDEES, DEMO_EVENT_NAME, demo_roster
from kiosk.demo.server import DemoError, DemoServer, create_demo_event
from kiosk.demo.tickets import write_tickets

STATE_FILE = "demo.json"
SERVER_DB = "server.sqlite3"
KIOSK_DIR = "kiosk"
SIDE_KIOSK_DIR = "side-door-kiosk"
TICKETS_DIR = "tickets"


@dataclass
class DemoEnvironment:
    folder: Path
    data_dir: Path  # this kiosk's replica
    server_url: str
    event_id: str
    tickets_pdf: Path
    tickets_png: Path
    attendees: int
    server: DemoServer | None = field(default=None, repr=False)
    door: str = DOOR

    def announcement(self) -> str:
        from kiosk.config import DEMO_PIN

        return "\n".join([
            f"Demo event: {DEMO_EVENT_NAME} ({self.attendees} attendees), served at {self.server_url}",
            f"Printable demo tickets: {self.tickets_pdf}",
            f"                   and: {self.tickets_png}",
            f"Staff PIN: {DEMO_PIN}. Demo data: {self.folder}",
        ])

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


def start_demo(folder: Path, *, attendees: int = DEMO_ATTENDEES, port: int | None = None,
               keyring_backend=None) -> DemoEnvironment:
    """Create or reopen the demo in ``folder`` and start its server; see :mod:`kiosk.demo`.

    ``keyring_backend``: where the demo kiosks' device tokens go (default: the OS keyring,
    as in production; tests pass one in).
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        state_path = folder / STATE_FILE
        state = json.loads(state_path.read_text(encoding="utf-8")) if state_path.is_file() else {}
    except (OSError, ValueError) as exc:
        raise DemoError(f"cannot use the demo folder {folder}: {exc}") from exc

    server = DemoServer(folder / SERVER_DB).start(port or state.get("port"))
    try:
        roster = demo_roster(attendees)
        event_id = state.get("event_id")
        if not event_id:
            event_id = create_demo_event(server, roster)
            side_door_arrivals(server, event_id, roster, folder / SIDE_KIOSK_DIR, keyring_backend)
        kiosk_dir = folder / KIOSK_DIR
        enroll_demo_kiosk(server, event_id, kiosk_dir, keyring_backend)
        pdf, png = write_tickets(folder / TICKETS_DIR, roster)
        state.update(event_id=event_id, port=server.port)
        state_path.write_text(json.dumps(state, indent=2), encoding="utf-8")
    except DemoError:
        server.stop()
        raise
    except Exception as exc:  # the environment (disk, keyring) or a bug: the server must not linger
        server.stop()
        from kiosk.crash import report_unexpected

        raise DemoError(f"the demo could not be set up: {report_unexpected(exc)}") from exc
    return DemoEnvironment(folder, kiosk_dir, server.url, event_id, pdf, png, len(roster), server)
