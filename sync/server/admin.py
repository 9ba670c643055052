"""Setting a server up from its host, without HTTP: what `kiosk server ...` commands call."""

from __future__ import annotations

import socket

from sync import wire
from sync.clock import utcnow
from sync.server.auth import create_organizer_token
from sync.server.database import Database
from sync.server.devices import create_enrollment_code
from sync.server.events import create_event, event_to_wire
from sync.server.roster import import_roster


def open_database(db_url: str) -> Database:
    """The server database at ``db_url``, created and migrated if needed."""
    db = Database(db_url)
    db.migrate()
    return db


def new_admin_token(db: Database, name: str = "") -> str:
    return db.write(lambda s: create_organizer_token(s, name))


def new_event(db: Database, request: wire.CreateEventRequest, roster_csv: bytes | None = None
              ) -> tuple[wire.Event, wire.RosterImportResult | None]:
    """Create an event, and import its roster in the same transaction (all or nothing)."""

    def work(session):
        event = create_event(session, request)
        result = import_roster(session, event.id, roster_csv) if roster_csv is not None else None
        return event_to_wire(session, event), result

    return db.write(work)


def new_enrollment_code(db: Database, event_id: str, door: str = "", name: str = "",
                        ttl_minutes: int = 60 * 24) -> wire.EnrollmentCode:
    request = wire.EnrollmentCodeRequest(door=door, name=name, ttl_minutes=ttl_minutes)
    now = utcnow()
    return db.write(lambda s: create_enrollment_code(s, event_id, request, now))


def list_devices(db: Database, event_id: str) -> list[dict]:
    """The kiosks enrolled for an event, for IT at the server's console."""
    from sync.server.devices import event_devices

    with db.read() as s:
        return [
            {"device_id": d.id, "name": d.name, "door": d.door, "app_version": d.app_version,
             "enrolled_at": d.enrolled_at, "last_seen_at": d.last_seen_at, "revoked_at": d.revoked_at}
            for d in event_devices(s, event_id)
        ]


def revoke(db: Database, device_id: str) -> wire.DeviceRevoked:
    from sync.server.devices import revoke_device

    now = utcnow()
    return db.write(lambda s: revoke_device(s, device_id, now))


def export_csv(db: Database, event_id: str, what: str, path, *, bom: bool = True) -> int:
    """The event's check-ins or attendees as CSV, in the kiosk's export format."""
    from sync.server.export import export

    with db.read() as s:
        return export(s, event_id, what, path, bom=bom)


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound now so that a taken port is one clear error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(db_url: str, host: str = "127.0.0.1", port: int = 8080, log_level: str = "info",
          settings=None, sock: socket.socket | None = None) -> None:
    """Run the API with uvicorn until interrupted."""
    import uvicorn

    from sync.server.app import create_app

    app = create_app(db_url, settings)
    sock = sock or bind(host, port)
    config = uvicorn.Config(app, log_level=log_level, timeout_graceful_shutdown=3, server_header=False)
    uvicorn.Server(config).run(sockets=[sock])
