"""What every command shares: exit statuses, the one-line error, the settings, the kiosk session."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import timezone
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from kiosk.config import Settings
    from kiosk.session import KioskSession

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3

NO_BOM_HELP = "write plain UTF-8 without a byte-order mark (for scripts; spreadsheets need the mark)"
NO_EVENT = "no event on this kiosk yet: run `kiosk import-roster FILE.csv` or `kiosk enroll` first"


class CliError(Exception):
    """An error to report as one line, with an exit status."""

    def __init__(self, message: str, status: int = EXIT_ERROR):
        super().__init__(message)
        self.status = status


def cli_settings(data_dir: Path | None = None) -> "Settings":
    """The settings in force (kiosk.config.Settings); a bad config file is a usage error naming it."""
    from kiosk.config import ConfigError, load_settings

    try:
        return load_settings({"data_dir": data_dir})
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc


def default_data_dir() -> Path:
    """The data folder from the settings (config files, then env KIOSK_DATA_DIR)."""
    return cli_settings().data_dir


def print_json(obj) -> None:
    print(json.dumps(obj, indent=2, ensure_ascii=False, default=str))


@contextmanager
def kiosk_session(args) -> Iterator["KioskSession"]:
    """The kiosk in ``args.data_dir`` as one :class:`~kiosk.session.KioskSession`, closed afterwards.

    A command's ``--door`` and ``--operator`` (when it has them) win over the settings.
    """
    from kiosk.session import KioskSession
    from sync.replica import open_replica  # looked up at each call: tests hand in a replica on a full disk

    settings = cli_settings(args.data_dir)
    replica = open_replica(settings.data_dir)
    try:
        session = KioskSession(settings, replica, door=getattr(args, "door", None) or None,
                               operator=getattr(args, "operator", None) or None)
    except BaseException:
        replica.close()
        raise
    try:
        yield session
    finally:
        session.close()


def require_event(session: "KioskSession") -> None:
    if not session.event.loaded:
        raise CliError(NO_EVENT)


def event_time(moment, session: "KioskSession") -> str:
    """A naive UTC time in the event's time zone, the zone named: "2026-12-02 09:14:00 CET"."""
    from kiosk.core.status_words import event_zone

    shown = moment.replace(tzinfo=timezone.utc).astimezone(event_zone(session.event.timezone))
    return shown.strftime("%Y-%m-%d %H:%M:%S ") + (shown.tzname() or "UTC")
