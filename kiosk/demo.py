"""The built-in demo: a believable event, a live local server, an enrolled kiosk, printable tickets.

``kiosk --demo`` calls :func:`start_demo`, which, in its own data folder:

1. starts the reference central API (``sync.server.app.create_app``) under
   uvicorn on 127.0.0.1 in a background thread, on SQLite in the demo folder;
2. the first time, creates the demo event with a few hundred attendees, and has
   a second, simulated kiosk at the "Side door" check some of them in over the
   last hour and sync, so the dashboard and the duplicate rules have something
   to show;
3. enrolls this kiosk (the token goes to the OS keyring, as in production) and
   downloads the roster;
4. writes printable tickets (a PDF and a PNG sheet) whose captions say what each
   should show at the door: green, amber or red.

Nothing here imports Qt; the app starts after it.
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

DEMO_EVENT_NAME = "Open Source Summit — Demo Day"
DEMO_ATTENDEES = 300
DEMO_SEED = 2026
DOOR = "Main door"
SIDE_DOOR = "Side door"
STATE_FILE = "demo.json"
SERVER_DB = "server.sqlite3"
KIOSK_DIR = "kiosk"
SIDE_KIOSK_DIR = "side-door-kiosk"
TICKETS_DIR = "tickets"
UNKNOWN_CODE = "NOT-ON-THE-LIST"
ARRIVED_EARLIER = 36  # attendees the side door let in before the demo starts

FIRST_NAMES = [
    "Ada", "Grace", "Alan", "Katherine", "Linus", "Margaret", "Guido", "Barbara", "Dennis", "Frances",
    "Amara", "Chinedu", "Ngozi", "Kwame", "Abena", "Tendai", "Thandiwe", "Sipho", "Zanele", "Wanjiru",
    "Aarav", "Priya", "Ananya", "Rohan", "Ishaan", "Meera", "Arjun", "Lakshmi", "Vikram", "Kavya",
    "Wei", "Mei", "Jun", "Xiaoling", "Hiroshi", "Yuki", "Sakura", "Haruto", "Min-jun", "Seo-yeon",
    "Nguyen", "Linh", "Thanh", "Siti", "Putri", "Rizal", "Maria", "José", "Lucía", "Mateo",
    "Camila", "Valentina", "Santiago", "Joaquín", "Florencia", "João", "Beatriz", "Thiago", "Ana", "Inês",
    "Émilie", "Chloé", "Léa", "Théo", "Hugo", "Zoë", "Søren", "Ingrid", "Astrid", "Bjørn",
    "Łukasz", "Zofia", "Agnieszka", "Mikołaj", "Jiří", "Tereza", "Dmitri", "Olga", "Anastasia", "Yaroslav",
    "Oksana", "Mehmet", "Elif", "Ayşe", "Emre", "Fatima", "Omar", "Layla", "Youssef", "Noor",
    "Darius", "Shirin", "Tariq", "Leilani", "Kai", "Aroha", "Tane", "Moana", "Siobhán", "Niamh",
    "Ciarán", "Eilidh", "Rhys", "Seren", "Dylan", "Olivia", "Liam", "Noah", "Emma", "Sophia",
]
LAST_NAMES = [
    "Lovelace", "Hopper", "Turing", "Johnson", "Torvalds", "Hamilton", "van Rossum", "Liskov", "Ritchie",
    "Allen", "Okafor", "Adeyemi", "Mensah", "Boateng", "Moyo", "Ndlovu", "Dlamini", "Kamau", "Otieno",
    "Sharma", "Patel", "Iyer", "Reddy", "Gupta", "Nair", "Menon", "Chen", "Wang", "Li", "Zhang", "Liu",
    "Tanaka", "Suzuki", "Sato", "Kim", "Park", "Lee", "Tran", "Pham", "Santoso", "Wijaya", "García",
    "Rodríguez", "Fernández", "López", "Martínez", "González", "Silva", "Santos", "Oliveira", "Costa",
    "Dubois", "Lefèvre", "Moreau", "Müller", "Schäfer", "Weiß", "Jørgensen", "Lindqvist", "Nieminen",
    "Kowalski", "Nowak", "Wiśniewska", "Dvořák", "Novotná", "Ivanova", "Petrov", "Shevchenko", "Yılmaz",
    "Demir", "Haddad", "Mansour", "Rahimi", "Karimi", "Kahananui", "Ngata", "Parata", "O'Brien",
    "Ní Bhriain", "MacLeod", "Davies", "Evans", "Nakamura-Smith", "Ngozi Adichie", "de la Cruz",
]
TICKET_TYPES = ["General"] * 14 + ["Speaker"] * 2 + ["Volunteer"] * 2 + ["Sponsor", "Press"]


class DemoError(Exception):
    """The demo cannot be set up (port, disk, server); the message says what to do."""


@dataclass(frozen=True)
class DemoAttendee:
    first_name: str
    last_name: str
    email: str
    ticket_code: str
    status: str = "confirmed"
    ticket_type: str = "General"
    plus_ones: int = 0

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def demo_roster(count: int = DEMO_ATTENDEES, seed: int = DEMO_SEED) -> list[DemoAttendee]:
    """The same plausible, diverse guest list every time: a few cancelled, a few waitlisted."""
    rng = random.Random(seed)
    people, seen = [], set()
    while len(people) < count:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if (first, last) in seen:
            continue
        seen.add((first, last))
        n = len(people) + 1
        roll = rng.random()
        status = "cancelled" if roll < 0.03 else "waitlisted" if roll < 0.06 else "confirmed"
        people.append(DemoAttendee(
            first_name=first,
            last_name=last,
            email=f"{_ascii(first)}.{_ascii(last)}{n}@example.org",
            ticket_code=f"OSS-{1000 + n:04d}",
            status=status,
            ticket_type=rng.choice(TICKET_TYPES),
            plus_ones=1 if rng.random() < 0.08 else 0,
        ))
    return people


def roster_csv(attendees: list[DemoAttendee]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["first_name", "last_name", "email", "ticket_code", "status", "ticket_type", "plus_ones"])
    for a in attendees:
        writer.writerow([a.first_name, a.last_name, a.email, a.ticket_code, a.status, a.ticket_type, a.plus_ones])
    return out.getvalue().encode("utf-8")


# ---- the embedded server -----------------------------------------------------------------


class EmbeddedServer:
    """The reference API under uvicorn in a daemon thread, on 127.0.0.1."""

    def __init__(self, db_path: Path, port: int):
        import uvicorn

        from sync.server.app import create_app

        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.app = create_app(f"sqlite:///{db_path}")
        self.db = self.app.state.db
        config = uvicorn.Config(self.app, host="127.0.0.1", port=port, log_level="warning",
                                timeout_graceful_shutdown=1, server_header=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="demo-server", daemon=True)

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise DemoError(f"the demo server did not start on 127.0.0.1:{self.port}")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self.db.dispose()


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---- the demo as a whole -------------------------------------------------------------------


@dataclass
class DemoEnvironment:
    folder: Path
    data_dir: Path  # this kiosk's replica
    server_url: str
    event_id: str
    tickets_pdf: Path
    tickets_png: Path
    attendees: int
    server: EmbeddedServer | None = field(default=None, repr=False)
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
    """Create or reopen the demo in ``folder`` and start its server; see the module docstring.

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

    wanted = port or state.get("port")
    port = wanted if wanted and _port_is_free(wanted) else _free_port()
    server = EmbeddedServer(folder / SERVER_DB, port)
    server.start()
    try:
        roster = demo_roster(attendees)
        event_id = state.get("event_id")
        if not event_id:
            event_id = _create_event(server, roster)
            _side_door_arrivals(server, event_id, roster, folder / SIDE_KIOSK_DIR, keyring_backend)
        kiosk_dir = folder / KIOSK_DIR
        _enroll_kiosk(server, event_id, kiosk_dir, keyring_backend)
        pdf, png = write_tickets(folder / TICKETS_DIR, roster)
        state.update(event_id=event_id, port=port)
        state_path.write_text(json.dumps(state, indent=2), encoding="utf-8")
    except DemoError:
        server.stop()
        raise
    except Exception as exc:  # the environment (disk, keyring) or a bug: the server must not linger
        server.stop()
        from kiosk.crash import report_unexpected

        raise DemoError(f"the demo could not be set up: {report_unexpected(exc)}") from exc
    return DemoEnvironment(folder, kiosk_dir, server.url, event_id, pdf, png, len(roster), server)


def _create_event(server: EmbeddedServer, roster: list[DemoAttendee]) -> str:
    from sync import wire
    from sync.server import admin

    today = datetime.now().replace(hour=9, minute=0, second=0, microsecond=0)
    request = wire.CreateEventRequest(name=DEMO_EVENT_NAME, venue_capacity=len(roster) + 50,
                                      timezone=_local_zone_name(), starts_at=today.astimezone())
    event, result = admin.new_event(server.db, request, roster_csv(roster))
    return event.id


def _local_zone_name() -> str:
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


def _enroll(server: EmbeddedServer, event_id: str, data_dir: Path, door: str, name: str, keyring_backend):
    """Enroll the replica in ``data_dir`` (once); returns the open replica and its credential store."""
    from sync.credentials import CredentialStore
    from sync.enrollment import enroll
    from sync.replica import open_replica
    from sync.server import admin
    from sync.status import K_EVENT, K_SERVER

    replica = open_replica(data_dir)
    store = CredentialStore(data_dir, replica.device_id, keyring_backend)
    if replica.get_state(K_EVENT) == event_id and store.load() is not None:
        # The same server on another port than last time: follow it.
        replica.set_state(K_SERVER, server.url)
    else:
        code = admin.new_enrollment_code(server.db, event_id, door=door, name=name)
        enroll(replica, code.code, server.url, name=name, credentials=store)
    return replica, store


def _sync(replica, store) -> None:
    from sync.engine import SyncEngine

    engine = SyncEngine(replica, credentials=store)
    try:
        report = engine.sync_once()
    finally:
        engine.close()
    if not report.ok:
        raise DemoError(f"the demo kiosk could not sync with its server: {report.error}")


def _enroll_kiosk(server: EmbeddedServer, event_id: str, data_dir: Path, keyring_backend) -> None:
    replica, store = _enroll(server, event_id, data_dir, DOOR, "Demo kiosk", keyring_backend)
    try:
        _sync(replica, store)
    finally:
        replica.close()


def _side_door_arrivals(server: EmbeddedServer, event_id: str, roster: list[DemoAttendee], data_dir: Path,
                        keyring_backend) -> None:
    """A second kiosk let some attendees in over the last hour, and synced: the dashboard is live."""
    from kiosk.core.desk import CheckinDesk
    from sync.clock import utcnow

    replica, store = _enroll(server, event_id, data_dir, SIDE_DOOR, "Side door kiosk", keyring_backend)
    try:
        _sync(replica, store)
        start = utcnow() - timedelta(minutes=75)
        moments = iter(start + timedelta(minutes=70 * i / ARRIVED_EARLIER) for i in range(ARRIVED_EARLIER + 1))
        desk = CheckinDesk(replica, door=SIDE_DOOR, operator="demo", clock=lambda: next(moments))
        for attendee in _arrived_earlier(roster):
            desk.scan(attendee.ticket_code)
        _sync(replica, store)
    finally:
        replica.close()


def _arrived_earlier(roster: list[DemoAttendee]) -> list[DemoAttendee]:
    # Every seventh confirmed guest: spread over the list, and some of them are on the ticket sheet.
    confirmed = [a for a in roster if a.status == "confirmed"]
    return confirmed[3::7][:ARRIVED_EARLIER]


# ---- printable tickets -----------------------------------------------------------------------


@dataclass(frozen=True)
class PrintedTicket:
    payload: str
    name: str
    expect: str  # what the door should show, e.g. "green: welcome"


def sheet_tickets(roster: list[DemoAttendee]) -> list[PrintedTicket]:
    """The tickets on the sheet: mostly good ones, and one of each kind of trouble."""
    earlier = {a.ticket_code for a in _arrived_earlier(roster)}
    fresh = [a for a in roster if a.status == "confirmed" and a.ticket_code not in earlier]
    tickets = [PrintedTicket(a.ticket_code, a.full_name, "green: welcome") for a in fresh[:8]]
    arrived = next(a for a in roster if a.ticket_code in earlier)
    tickets.append(PrintedTicket(arrived.ticket_code, arrived.full_name, f"amber: already in ({SIDE_DOOR})"))
    for status, expect in (("waitlisted", "amber: waiting list"), ("cancelled", "red: ticket cancelled")):
        person = next((a for a in roster if a.status == status), None)
        if person is not None:
            tickets.append(PrintedTicket(person.ticket_code, person.full_name, expect))
    tickets.append(PrintedTicket(UNKNOWN_CODE, "(not on the list)", "red: unknown code"))
    return tickets


def write_tickets(folder: Path, roster: list[DemoAttendee]) -> tuple[Path, Path]:
    """A PDF (A4 pages) and a PNG sheet of demo tickets with their QR codes."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = _ticket_pages(sheet_tickets(roster))
    pdf, png = folder / "demo-tickets.pdf", folder / "demo-tickets.png"
    pages[0].save(pdf, "PDF", resolution=150, save_all=True, append_images=pages[1:])
    pages[0].save(png, "PNG")
    return pdf, png


FONT_CANDIDATES = ("DejaVuSans.ttf", "NotoSans-Regular.ttf", "arial.ttf", "Arial.ttf", "Helvetica.ttc",
                   "LiberationSans-Regular.ttf")
EXPECT_COLOURS = {"green": "#1b7f3b", "amber": "#9a6700", "red": "#c62828"}


def _fonts():
    """Fonts with accents and other scripts when the system has one; else Pillow's own, in ASCII."""
    from PIL import ImageFont

    for name in FONT_CANDIDATES:
        try:
            return [ImageFont.truetype(name, size) for size in (40, 28, 22)], True
        except OSError:
            continue
    try:
        return [ImageFont.load_default(size=size) for size in (40, 28, 22)], False
    except TypeError:  # Pillow without FreeType: a small bitmap font, still readable
        return [ImageFont.load_default()] * 3, False


def _ticket_pages(tickets: list[PrintedTicket]):
    """A4 at 150 dpi, three columns by four rows of tickets."""
    import qrcode
    from PIL import Image, ImageDraw

    width, height, columns, rows, margin = 1240, 1754, 3, 4, 60
    cell_w, cell_h = (width - 2 * margin) // columns, (height - 2 * margin - 80) // rows
    (title_font, name_font, small_font), unicode_ok = _fonts()
    shown = (lambda text: text) if unicode_ok else (
        lambda text: unicodedata.normalize("NFKD", text.replace("—", "-")).encode("ascii", "ignore").decode())
    pages = []
    per_page = columns * rows
    for start in range(0, len(tickets), per_page):
        page = Image.new("RGB", (width, height), "white")
        draw = ImageDraw.Draw(page)
        draw.text((margin, margin - 20), shown(f"{DEMO_EVENT_NAME} — demo tickets"), fill="black", font=title_font)
        for i, ticket in enumerate(tickets[start:start + per_page]):
            col, row = i % columns, i // columns
            x, y = margin + col * cell_w, margin + 80 + row * cell_h
            draw.rectangle([x + 6, y + 6, x + cell_w - 6, y + cell_h - 6], outline="#b0bec5", width=2)
            qr = qrcode.make(ticket.payload, box_size=8, border=2).convert("RGB")
            side = min(cell_w - 60, cell_h - 150)
            qr = qr.resize((side, side), Image.NEAREST)
            page.paste(qr, (x + (cell_w - side) // 2, y + 18))
            text_y = y + 26 + side
            colour = EXPECT_COLOURS.get(ticket.expect.split(":")[0], "#37474f")
            draw.text((x + 20, text_y), shown(ticket.name)[:24], fill="black", font=name_font)
            draw.text((x + 20, text_y + 36), ticket.payload, fill="#37474f", font=small_font)
            draw.text((x + 20, text_y + 64), ticket.expect, fill=colour, font=small_font)
        pages.append(page)
    return pages
