"""Render the staff desk, a walk-in's badge and the dashboard at 1366x768, from real parts.

    python docs/screenshots/make_staff_screenshots.py [OUTPUT_FOLDER]

A reference server runs on loopback; three kiosks are enrolled, check people in
over a simulated two hours (two of them let the same ticket in while offline)
and sync. The screenshots are then taken of the real widgets on kiosk A:
nothing on screen is drawn from made-up figures.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from keyring.backends import fail  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEventLoop  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

SIZE = (1366, 768)
FIRST_NAMES = ["Ada", "Grace", "Alan", "Katherine", "Hedy", "Radia", "Barbara", "Margaret", "Frances", "Edsger",
               "Donald", "Tim", "Linus", "Guido", "Anita", "Shafi", "Leslie", "Vint", "Adele", "Joan", "Sophie",
               "Mary", "Dorothy", "John", "Ken", "Dennis", "Bjarne", "Yukihiro", "Fei-Fei", "Jean"]
LAST_NAMES = ["Lovelace", "Hopper", "Turing", "Johnson", "Lamarr", "Perlman", "Liskov", "Hamilton", "Allen",
              "Dijkstra", "Knuth", "Berners-Lee", "Torvalds", "van Rossum", "Borg", "Goldwasser", "Lamport",
              "Cerf", "Goldberg", "Clarke", "Wilson", "Keller", "Vaughan", "McCarthy", "Thompson", "Ritchie",
              "Stroustrup", "Matsumoto", "Li", "Sammet"]


def wait_until(condition, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen did not settle in time")
        QCoreApplication.processEvents(QEventLoop.AllEvents, 50)
        time.sleep(0.01)


def settle(ms: int = 300) -> None:
    deadline = time.monotonic() + ms / 1000
    while time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.AllEvents, 20)
        time.sleep(0.01)


class Server:
    """The reference server under uvicorn on a free loopback port."""

    def __init__(self, folder: Path):
        import socket

        import uvicorn

        from sync.server import admin
        from sync.server.app import ServerSettings, create_app

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        db_url = f"sqlite:///{folder / 'server.sqlite3'}"
        self.db = admin.open_database(db_url)
        app = create_app(db_url, ServerSettings(stream_poll_seconds=0.2))
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    timeout_graceful_shutdown=1))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def roster_rows(count: int) -> list[dict]:
    rng = random.Random(4)
    rows = [{"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org",
             "ticket_code": "TK-00000", "status": "confirmed"}]
    seen = {("Ada", "Lovelace")}
    while len(rows) < count:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if (first, last) in seen:
            continue
        seen.add((first, last))
        n = len(rows)
        email = f"{first}.{last}".lower().replace(" ", "").replace("-", "") + "@example.org"
        status = "cancelled" if n % 41 == 0 else "waitlisted" if n % 53 == 0 else "confirmed"
        rows.append({"first_name": first, "last_name": last, "email": email,
                     "ticket_code": f"TK-{n:05d}", "status": status})
    return rows


def build_event(folder: Path):
    """Server, event, three enrolled kiosks with two hours of check-ins; returns kiosk A's parts."""
    from kiosk.core.desk import CheckinDesk
    from kiosk.core.walkins import register_walkin
    from sync import wire
    from sync.client import ApiClient
    from sync.clock import utcnow
    from sync.credentials import CredentialStore
    from sync.engine import SyncEngine
    from sync.enrollment import enroll
    from sync.replica import open_replica
    from sync.server import admin

    server = Server(folder)
    rows = roster_rows(420)
    csv_text = "first_name,last_name,email,ticket_code,status\n" + "".join(
        f"{r['first_name']},{r['last_name']},{r['email']},{r['ticket_code']},{r['status']}\n" for r in rows)
    event, _ = admin.new_event(server.db, wire.CreateEventRequest(name="PyData Riverside 2026", venue_capacity=500),
                               csv_text.encode())
    kiosks = []
    for name, door in (("A", "North entrance"), ("B", "South entrance"), ("C", "Speakers desk")):
        data_dir = folder / f"kiosk-{name}"
        replica = open_replica(data_dir)
        credentials = CredentialStore(data_dir, replica.device_id, fail.Keyring())
        code = admin.new_enrollment_code(server.db, event.id, door=door, name=f"kiosk-{name}").code
        enroll(replica, f"checkin-kiosk://enroll?server={server.url}&code={code}", credentials=credentials,
               name=f"Kiosk {name}")
        engine = SyncEngine(replica, client_factory=lambda c=credentials: ApiClient(server.url, c.load()),
                            credentials=credentials)
        assert engine.download().ok
        kiosks.append((name, door, replica, engine, credentials))

    # Two hours of arrivals, busiest around the keynote.
    rng = random.Random(11)
    start = utcnow() - timedelta(minutes=115)
    confirmed = [r for r in rows if r["status"] == "confirmed"]
    arriving = rng.sample(confirmed[1:], 260)
    moments = sorted(start + timedelta(minutes=max(0.0, min(114.0, rng.gauss(45, 25)))) for _ in arriving)
    weights = (0.5, 0.38, 0.12)
    for row, moment in zip(arriving, moments):
        name, door, replica, engine, _ = rng.choices(kiosks, weights)[0]
        CheckinDesk(replica, door=door, operator=f"staff-{name}", clock=lambda m=moment: m).scan(row["ticket_code"])
    # A coffee break: some went out and came back; Ada's story is on the staff desk screenshot.
    ada = rows[0]
    for (_name, door, replica, _engine, _), minutes, direction in (
        (kiosks[0], 10, "entry"), (kiosks[0], 62, "exit"), (kiosks[1], 80, "entry")
    ):
        CheckinDesk(replica, door=door, clock=lambda m=start + timedelta(minutes=minutes): m).scan(
            ada["ticket_code"], direction)
    for first, last in (("Katherine", "Johnson"), ("Dorothy", "Vaughan"), ("Mary", "Jackson"), ("Annie", "Easley")):
        name, door, replica, _engine, _ = kiosks[2]
        register_walkin(replica, first, last, None, desk=CheckinDesk(replica, door=door,
                                                                     clock=lambda: utcnow() - timedelta(minutes=20)))
    # The same ticket let in at two doors while both were offline: one arrival, one duplicate.
    twice = next(r for r in confirmed[1:] if r not in arriving)
    for (_name, door, replica, _engine, _), minutes_ago in ((kiosks[0], 7), (kiosks[1], 6)):
        CheckinDesk(replica, door=door, clock=lambda m=minutes_ago: utcnow() - timedelta(minutes=m)).scan(
            twice["ticket_code"])
    for _round in range(2):
        for _name, _door, _replica, engine, _ in kiosks:
            assert engine.sync_once().ok
    # Kiosk C keeps scanning without a sync since: it has check-ins waiting.
    name, door, replica, _engine, _ = kiosks[2]
    for row in [r for r in confirmed[1:] if r not in arriving and r is not twice][:3]:
        CheckinDesk(replica, door=door).scan(row["ticket_code"])
    return server, event.id, kiosks


def main(out_dir: Path) -> int:
    from kiosk.app.dashboard import Dashboard
    from kiosk.app.dashboard.server_stream import StatsEventStream
    from kiosk.app.services import Services
    from kiosk.app.staff.staff_desk import StaffDesk
    from kiosk.app.theme import APP_STYLESHEET
    from kiosk.config import Settings
    from kiosk.session import KioskSession

    app = QApplication.instance() or QApplication([])
    app.setStyleSheet(APP_STYLESHEET)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server, event_id, kiosks = build_event(Path(tmp))
        name, door, replica, engine, credentials = kiosks[0]
        settings = Settings(door_name=door, data_dir=replica.path.parent)
        services = Services(KioskSession(settings, replica, operator="sam"))
        try:
            # The staff desk: a search and one attendee's story.
            desk = StaffDesk(services)
            desk.resize(*SIZE)
            desk.show()
            desk.search_panel.set_query("ada")
            wait_until(lambda: desk.search_panel.model.rowCount() > 3)
            panel = desk.search_panel
            ada_row = next(i for i, v in enumerate(panel.model.views()) if v.full_name == "Ada Lovelace")
            panel.results_view.setCurrentIndex(panel.model.index(ada_row, 0))
            wait_until(lambda: desk.detail.history_table.rowCount() == 3)
            settle()
            desk.grab().save(str(out_dir / "staff-desk.png"))

            # A walk-in, registered through the form, with the badge on screen.
            desk.show_walkin()
            form = desk.walkin_form
            # Nobody of that name on the list (a namesake would be offered first, not registered).
            form.edits["first_name"].setText("Mae")
            form.edits["last_name"].setText("Jemison")
            form.edits["email"].setText("mae@endeavour.example")
            registered = []
            form.walkin_registered.connect(registered.append)
            form.submit()
            wait_until(lambda: registered)
            settle()
            desk.grab().save(str(out_dir / "walkin-badge.png"))
            desk.close()

            # The dashboard, live from the server's stream.
            token = credentials.load()
            dashboard = Dashboard(services, lambda: StatsEventStream(server.url, token, event_id))
            dashboard.resize(*SIZE)
            dashboard.show()
            dashboard.start()
            wait_until(lambda: dashboard.source == "server" and len(dashboard.figures.fleet) == 3)
            settle(500)
            dashboard.grab().save(str(out_dir / "dashboard.png"))
            dashboard.stop()
            dashboard.close()
        finally:
            services.db_worker.stop()
            services.net_worker.stop()
            for _name, _door, replica_, engine_, _ in kiosks:
                engine_.close()
                replica_.close()
            server.stop()
    for name in ("staff-desk.png", "walkin-badge.png", "dashboard.png"):
        print(out_dir / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent))
