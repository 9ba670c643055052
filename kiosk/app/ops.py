"""The kiosk's operations, one factory each (the Anki ``aqt/operations/note.py`` idea).

Each factory returns an operation (see ``kiosk.app.operations``) whose function
runs off the GUI thread with the :class:`~kiosk.session.KioskSession` as its
first argument. A write returns its result *and* what it changed, declared
here, once: a screen runs ``ops.scan(code, "entry").success(...).run(services.ops, self)``
and never tells another screen to refresh.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.app.operations import NetworkOp, QueryOp, WriteOp
from sync.changes import Changed, Changes

LOCAL_CHECKIN = Changes(checkins=True, attendees=True, outbox=True)  # a log row, the attendee's state, queued
ROSTER = Changes(attendees=True, checkins=True, event=True)


# ---- the door and the desk: check-ins ----------------------------------------------


def _scan(session, code: str, direction: str) -> Changed:
    return Changed(session.desk.scan(code, direction), LOCAL_CHECKIN)


def scan(code: str, direction: str) -> WriteOp:
    """A scanned or typed payload: the decision, committed with its outbox row before it is returned."""
    return WriteOp(_scan, code, direction)


def _checkin_attendee(session, attendee_id: str, direction: str) -> Changed:
    return Changed(session.desk.checkin_attendee(attendee_id, direction), LOCAL_CHECKIN)


def checkin_attendee(attendee_id: str, direction: str = "entry") -> WriteOp:
    return WriteOp(_checkin_attendee, attendee_id, direction)


def _force_checkin(session, attendee_id: str, reason: str) -> Changed:
    return Changed(session.desk.force_checkin(attendee_id, reason), LOCAL_CHECKIN)


def force_checkin(attendee_id: str, reason: str) -> WriteOp:
    """A supervisor lets in a guest the door rules refuse (waitlisted, cancelled), with the reason logged."""
    return WriteOp(_force_checkin, attendee_id, reason)


def _undo_attendee(session, attendee_id: str) -> Changed:
    outcome = session.desk.undo_attendee(attendee_id)
    return Changed(outcome, LOCAL_CHECKIN if outcome.undone else Changes())


def undo_attendee(attendee_id: str) -> WriteOp:
    return WriteOp(_undo_attendee, attendee_id)


def _same_name(session, first: str, last: str):
    """An attendee of the event with exactly this first and last name (case and spacing aside), or None."""
    from kiosk.core.payload import clean

    wanted = (clean(first).casefold(), clean(last).casefold())
    for view in _search(session, f"{first} {last}", 25):
        if (clean(view.first_name).casefold(), clean(view.last_name).casefold()) == wanted:
            return view
    return None


def _register_walkin(session, first: str, last: str, email: str | None, same_name_ok: bool) -> Changed:
    from kiosk.core.walkins import WalkinOutcome, normalise_email, register_walkin, validate_walkin

    desk = session.desk
    if not same_name_ok and not validate_walkin(first, last, email):
        existing = _same_name(session, first, last)
        typed_email = normalise_email(email)
        if existing is not None and (typed_email is None or typed_email != (existing.email or "").lower()):
            # Someone already on the list by that name (no e-mail given, or another one): offered first.
            return Changed(WalkinOutcome(False, f"{existing.full_name} is already on the guest list.",
                                         existing=existing), Changes())
    outcome = register_walkin(session.replica, first, last, email, door=desk.door, operator=desk.operator,
                              desk=desk)
    return Changed(outcome, LOCAL_CHECKIN if outcome.created else Changes())


def register_walkin(first: str, last: str, email: str | None, same_name_ok: bool = False) -> WriteOp:
    """Register and check in a walk-in; someone already on the list by that name is offered first,
    unless ``same_name_ok`` (staff said it is another person)."""
    return WriteOp(_register_walkin, first, last, email, same_name_ok)


# ---- reads -------------------------------------------------------------------------


def _lookup_attendee(session, attendee_id: str):
    return session.desk.lookup_attendee(attendee_id)


def lookup_attendee(attendee_id: str) -> QueryOp:
    return QueryOp(_lookup_attendee, attendee_id, latest="lookup")


def _lookup_code(session, code: str):
    return session.desk.lookup(code)


def lookup_code(code: str) -> QueryOp:
    """Everything known about a scanned ticket, without checking it in or logging a scan."""
    return QueryOp(_lookup_code, code)


def _warm_up(session) -> None:
    # A lookup logs nothing; it loads the roster's pages and query plans before the first attendee.
    session.desk.lookup("WARM-UP-0000")


def warm_up() -> QueryOp:
    return QueryOp(_warm_up)


def _search(session, text: str, limit: int):
    from kiosk.core.search import search as search_replica

    desk = session.desk
    if desk.event_id is None:
        return []
    return [hit.attendee for hit in search_replica(session.replica, desk.event_id, text, limit=limit)]


def search(text: str, limit: int = 25, latest: str = "search") -> QueryOp:
    """Search as you type: only the newest search of the ``latest`` key is run and answered."""
    return QueryOp(_search, text, limit, latest=latest)


def _export(session, what: str, path: Path):
    from kiosk.core import roster

    exporter = {"checkins": roster.export_checkins, "attendees": roster.export_attendees}[what]
    return exporter(session.replica, path)


def export(what: str, path: Path) -> QueryOp:
    """Write the check-in log ("checkins") or the attendees ("attendees") to a CSV file."""
    return QueryOp(_export, what, path)


def _count_figures(session, door: str):
    from kiosk.app.dashboard.live import count_figures

    return count_figures(session.replica, door)


def count_figures(door: str) -> QueryOp:
    """The dashboard's figures from the replica, and how long counting took."""
    return QueryOp(_count_figures, door, latest="figures")


def _stream_target(session):
    from kiosk.app.dashboard.server_stream import stream_opener_for

    return stream_opener_for(session.replica)


def stream_target() -> QueryOp:
    return QueryOp(_stream_target)


# ---- the roster, the settings, the session ------------------------------------------


class RosterImportRefused(Exception):
    """A roster import on an enrolled kiosk: its attendees would never reach the server or the other doors."""


def _import_roster(session, path: Path, event_name: str | None, skip_invalid: bool, progress) -> Changed:
    from kiosk.core.roster import import_roster as import_file

    server = session.sync_status().server
    if server:  # as `kiosk import-roster` refuses it; the replica is not touched
        raise RosterImportRefused(
            f"this kiosk is enrolled with {server}: import the roster on the server instead "
            "(kiosk server create-event --roster, or the organizer's import on the server): every door gets it "
            "at its next sync."
        )
    report = import_file(session.replica, path, event_name=event_name, skip_invalid=skip_invalid,
                         progress=progress)
    if not report.imported:
        return Changed(report, Changes())
    return Changed(report, ROSTER | session.reload())  # the import may have made or renamed the event


def import_roster(path: Path, event_name: str | None, skip_invalid: bool, progress=None) -> WriteOp:
    return WriteOp(_import_roster, path, event_name, skip_invalid, progress)


def _save_settings(session, changes: dict, pins: dict | None) -> Changed:
    from kiosk.config import PinChangeError, check_pin, hash_pin, save_user_settings

    changes = dict(changes)
    if pins is not None:
        if not check_pin(session.settings.pin_hash, pins["current"]):
            raise PinChangeError("the current PIN is wrong, so nothing was changed.")
        changes["pin_hash"] = hash_pin(pins["new"])
    saved = save_user_settings(session.settings, changes, sources=session.config_sources)
    return Changed((saved, pins is not None), session.apply_settings(saved))


def save_settings(changes: dict, pins: dict | None) -> WriteOp:
    """Write the user file (checking and hashing a PIN takes scrypt's time: off the GUI thread)."""
    return WriteOp(_save_settings, changes, pins)


def _reload(session) -> Changed:
    return Changed(session.event, session.reload())


def reload_session() -> WriteOp:
    """Re-read the current event and make a fresh desk (the event may have changed under the app)."""
    return WriteOp(_reload)


def _resend_not_stored(session) -> Changed:
    count, changes = session.resend_not_stored()
    return Changed(count, changes)


def resend_not_stored() -> WriteOp:
    """Queue again the scans the server refused (once the cause is fixed)."""
    return WriteOp(_resend_not_stored)


def _read_sync_status(session):
    return session.sync_status()


def read_sync_status() -> QueryOp:
    return QueryOp(_read_sync_status)


# ---- the network ---------------------------------------------------------------------


def _enroll(session, text: str, server: str | None, app_version: str) -> Changed:
    """The exchange, the token into the keyring, the code's door made this kiosk's."""
    import logging

    from kiosk.config import ConfigError, adopt_enrolled_door
    from sync.enrollment import enroll as enroll_replica

    enrollment = enroll_replica(session.replica, text, server, app_version=app_version)
    changes = Changes(event=True, sync_status=True, outbox=True)  # outbox: sync now, download the event
    try:
        settings = adopt_enrolled_door(session.settings, enrollment.door, sources=session.config_sources)
    except ConfigError as exc:  # enrolled all the same: the door can be set on the Settings page
        logging.getLogger(__name__).warning("enrolled, but the door name was not saved: %s", exc)
        settings = session.settings
    if settings is not session.settings:
        return Changed(enrollment, changes | session.apply_settings(settings))
    return Changed(enrollment, changes | session.reload())


def enroll(text: str, server: str | None, app_version: str) -> NetworkOp:
    return NetworkOp(_enroll, text, server, app_version)


def _decode_image(session, path: Path):
    from kiosk.scanner.decoders import make_decoder
    from kiosk.scanner.sources import decode_image as decode_file

    return decode_file(path, make_decoder(session.settings.decoder))


def decode_image(path: Path) -> NetworkOp:
    """Decode the QR codes of an image file (slow on a big photo: not on the DbWorker)."""
    return NetworkOp(_decode_image, path)
