"""Real parts for the staff desk and dashboard tests: a replica filled by the real CSV import,
real workers, and the Services the app would build.

Only the modal dialogs are replaced (by :class:`AnsweringDialogs`, passed in): a test
cannot click a file chooser.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage
from sqlalchemy import func, select

from kiosk.app.services import Services
from kiosk.app.staff.dialogs import Dialogs
from kiosk.config import Settings
from kiosk.core.roster import import_roster
from kiosk.session import KioskSession
from sync.replica import open_replica
from sync.replica.models import Attendee

ROSTER_CSV = """first_name,last_name,email,ticket_code,status
Ada,Lovelace,ada@example.org,ADA-0001,confirmed
Grace,Hopper,grace@example.org,GRACE-0002,confirmed
Alan,Turing,alan@example.org,ALAN-0003,cancelled
Edsger,Dijkstra,edsger@example.org,EDSGER-0004,waitlisted
Adele,Goldberg,adele@example.org,ADELE-0005,confirmed
Barbara,Liskov,barbara@example.org,BARBARA-0006,confirmed
"""


def write_roster(path: Path, text: str = ROSTER_CSV) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def filled_replica(data_dir: Path, roster_csv: Path, event_name: str = "Demo Conference"):
    replica = open_replica(data_dir)
    report = import_roster(replica, roster_csv, event_name=event_name)
    assert report.imported, report.errors
    return replica


def make_services(replica, *, door: str = "Door 1", data_dir: Path | None = None,
                  sync_engine=None, sync_bridge=None) -> Services:
    settings = Settings(door_name=door, data_dir=data_dir or replica.path.parent)
    session = KioskSession(settings, replica, operator="staff")
    session.engine = sync_engine
    return Services(session, sync_bridge=sync_bridge)


def stop_services(services: Services) -> None:
    services.sync_status.stop()
    assert services.stop_workers()


class AnsweringDialogs(Dialogs):
    """Answers the file questions with the paths a test set; records what was asked."""

    def __init__(self, open_path: Path | None = None, save_path: Path | None = None, printer=None):
        self.open_answer = open_path
        self.save_answer = save_path
        self.printer_answer = printer
        self.asked: list[str] = []

    def open_path(self, parent, title, file_filter):
        self.asked.append(title)
        return self.open_answer

    def save_path(self, parent, title, suggested, file_filter):
        self.asked.append(title)
        return self.save_answer

    def printer(self, parent, title):
        self.asked.append(title)
        return self.printer_answer

    def has_printer(self) -> bool:
        return self.printer_answer is not None


def decode_qr_image(image: QImage) -> list[str]:
    """The texts of the QR codes in ``image``, read by zxing-cpp."""
    import zxingcpp

    gray = image.convertToFormat(QImage.Format_Grayscale8)
    pixels = np.frombuffer(gray.constBits(), dtype=np.uint8).reshape(gray.height(), gray.bytesPerLine())
    return [code.text for code in zxingcpp.read_barcodes(np.ascontiguousarray(pixels[:, : gray.width()]))]


def attendee_count(replica) -> int:
    with replica.session(write=False) as s:
        return s.scalar(select(func.count()).select_from(Attendee))
