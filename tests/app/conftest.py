"""Real parts for the app tests: a replica filled by the real CSV import, real workers,
real QR images (``qrcode``) read by the real decoder through the frame-source code path.

Qt warnings fail tests (``qt_log_level_fail = WARNING`` in pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import qrcode

from kiosk.app.services import Services
from kiosk.app.shell import KioskApp
from kiosk.config import Settings, hash_pin
from kiosk.core.roster import import_roster
from kiosk.session import KioskSession
from sync.replica import open_replica
from tests.app.staff.support import filled_replica, make_services, stop_services, write_roster

STAFF_PIN = "2468"

# The offscreen platform cannot pass size constraints to a window manager it does not have,
# and says so whenever a top-level layout's minimum size changes; a real display never does.
OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/app" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))

DOOR_ROSTER_CSV = """first_name,last_name,email,ticket_code,status,plus_ones
Ada,Lovelace,ada@example.org,ADA-0001,confirmed,1
Grace,Hopper,grace@example.org,GRACE-0002,confirmed,0
Alan,Turing,alan@example.org,ALAN-0003,cancelled,0
Edsger,Dijkstra,edsger@example.org,EDSGER-0004,waitlisted,0
Chimamanda,Ngozi Adichie,chimamanda@example.org,CHIMA-0005,confirmed,0
"""


def qr_png(path: Path, text: str, box_size: int = 8) -> Path:
    """A real QR code image of ``text``."""
    qrcode.make(text, box_size=box_size, border=4).save(path)
    return path


def staff_settings(data_dir: Path, **changes) -> Settings:
    values = {"door_name": "Door 1", "data_dir": data_dir, "pin_hash": PIN_HASH, "sounds": False}
    values.update(changes)
    return Settings(**values)


PIN_HASH = hash_pin(STAFF_PIN)


@pytest.fixture
def door_replica(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(DOOR_ROSTER_CSV, encoding="utf-8")
    replica = open_replica(tmp_path / "kiosk")
    report = import_roster(replica, roster, event_name="Door Test Conference")
    assert report.imported, report.errors
    yield replica
    replica.close()


@pytest.fixture
def door_services(door_replica):
    settings = staff_settings(door_replica.path.parent)
    services = Services(KioskSession(settings, door_replica, operator="staff"))
    yield services
    assert services.stop_workers()


@pytest.fixture
def ticket_images(tmp_path):
    """QR images of the roster's tickets, and of a code nobody has: name -> path."""
    folder = tmp_path / "tickets"
    folder.mkdir()
    codes = {"ada": "ADA-0001", "grace": "GRACE-0002", "alan": "ALAN-0003", "edsger": "EDSGER-0004",
             "chima": "CHIMA-0005", "stranger": "NOBODY-9999"}
    return {name: qr_png(folder / f"{name}.png", code) for name, code in codes.items()}


@pytest.fixture
def make_shell(qtbot, qapp, door_replica, tmp_path, monkeypatch):
    """The whole app (KioskApp) on the door roster, started; ``make_shell(**settings_changes)``."""
    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "config.toml"))
    data_dir = door_replica.path.parent
    door_replica.close()  # the app opens its own
    shells = []

    def make(**settings_changes):
        settings = staff_settings(data_dir, camera=57, **settings_changes)  # camera 57: none here
        shell = KioskApp(qapp, settings, sounds_enabled=False)
        qtbot.addWidget(shell.window)
        shells.append(shell)
        shell.start()
        return shell

    yield make
    for shell in shells:
        shell.shutdown()


# ---- the staff desk's and the dashboard's replica: the demo roster (tests/app/staff/support.py) ----


@pytest.fixture
def roster_csv(tmp_path):
    return write_roster(tmp_path / "roster.csv")


@pytest.fixture
def replica(tmp_path, roster_csv):
    replica = filled_replica(tmp_path / "kiosk", roster_csv)
    yield replica
    replica.close()


@pytest.fixture
def services(replica):
    services = make_services(replica)
    yield services
    stop_services(services)
