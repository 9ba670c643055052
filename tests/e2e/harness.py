"""The real pieces, wired for tests: kiosks enrolled with the live reference server.

:class:`Kiosk` is one enrolled replica with its desk and its sync engine, exactly as the
app wires them; the server is the tests' one :class:`~tests.live_server.LiveServer`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from keyring.backends import fail

from kiosk.core.desk import CheckinDesk
from sync.client import ApiClient
from sync.credentials import CredentialStore
from sync.engine import SyncEngine
from sync.enrollment import enroll
from sync.replica import Replica, open_replica
from tests.live_server import LiveServer, roster_csv  # noqa: F401  (the e2e tests' names)


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
