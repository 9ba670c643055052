"""Sync commands: ``kiosk enroll`` and ``kiosk sync``."""

from __future__ import annotations

import argparse
import sys
import threading

from kiosk.cli.common import EXIT_ERROR, EXIT_OK, EXIT_REFUSED, EXIT_USAGE, CliError, kiosk_session, print_json


def _progress_printer(stream=sys.stderr):
    """A one-line progress display for the download (a bar is the GUI's job)."""
    shown = {"phase": None}

    def show(phase: str, done: int, total: int) -> None:
        if phase == "push":
            return
        percent = 100 if total <= 0 else min(100, int(done * 100 / total))
        end = "\n" if percent >= 100 else ""
        if shown["phase"] not in (None, phase):
            stream.write("\n")
        shown["phase"] = phase
        stream.write(f"\rDownloading {phase}: {percent:3d}%{end}")
        stream.flush()

    return show


def _describe(report) -> str:
    if not report.ok:
        return f"{report.connectivity}: {report.error}"
    parts = []
    if report.walkins_pushed:
        merged = f" ({report.walkins_merged} merged into existing RSVPs)" if report.walkins_merged else ""
        parts.append(f"{report.walkins_pushed} walk-in(s) sent{merged}")
    if report.checkins_pushed:
        dup = f" ({report.duplicates} duplicate)" if report.duplicates else ""
        parts.append(f"{report.checkins_pushed} check-in(s) sent{dup}")
    if report.rejected:
        parts.append(f"{report.rejected} refused by the server (kept here, flagged)")
    if report.roster_changes:
        parts.append(f"{report.roster_changes} roster change(s)")
    if report.checkins_pulled:
        parts.append(f"{report.checkins_pulled} check-in(s) received")
    done = ", ".join(parts) if parts else "up to date"
    return f"online: {done}; {report.waiting_to_sync} waiting to sync"


def _adopt_door(settings, door: str) -> None:
    from kiosk.config import ConfigError, adopt_enrolled_door

    try:
        adopt_enrolled_door(settings, door)
    except ConfigError as exc:  # enrolled all the same: the door can be set by hand
        print(f"kiosk: enrolled, but the door name was not saved: {exc}", file=sys.stderr)


def cmd_enroll(args) -> int:
    from sync.client import SyncError
    from sync.credentials import CredentialError
    from sync.enrollment import enroll

    text = args.code or args.payload
    if not text:
        raise CliError("give the enrollment code (--code CODE) or the enrollment QR text", EXIT_USAGE)
    with kiosk_session(args) as session:
        # IT provisions the server in the config file; --server (or the QR text) overrides it.
        server = args.server or session.settings.server_url or None
        try:
            enrollment = enroll(session.replica, text, server, name=args.name or None)
        except CredentialError as exc:
            raise CliError(f"enrolled, but the device token could not be stored: {exc}") from exc
        except SyncError as exc:
            raise CliError(f"enrollment failed: {exc}") from exc
        _adopt_door(session.settings, enrollment.door)
        result = {
            "server": enrollment.server,
            "device_id": enrollment.device_id,
            "event_id": enrollment.event_id,
            "door": enrollment.door,
            "token_stored_in": enrollment.token_stored_in,
            "download": None,
        }
        if not args.json:
            print(f"Enrolled as {enrollment.device_id} for event {enrollment.event_id}"
                  f"{' at ' + enrollment.door if enrollment.door else ''}; token kept in {enrollment.token_stored_in}.")
        status = EXIT_OK
        if not args.no_download:
            report = _engine(session).download(None if args.json else _progress_printer())
            result["download"] = report.to_json()
            if not report.ok:
                status = EXIT_ERROR
                print(f"kiosk: the download failed: {report.error} (run `kiosk sync --once` to try again)",
                      file=sys.stderr)
            elif not args.json:
                print(f"Ready: {report.roster_changes} roster entries, {report.checkins_pulled} check-ins downloaded.")
    if args.json:
        print_json(result)
    return status


def _engine(session, **options):
    """The session's sync engine (closed with the session); an error when not enrolled."""
    from kiosk import __version__

    engine = session.make_engine(app_version=__version__, **options)
    if engine is None:
        raise CliError("this kiosk is not enrolled with a server: run `kiosk enroll` first")
    return engine


def cmd_sync(args) -> int:
    options = {"interval": args.interval} if args.interval is not None else {}
    with kiosk_session(args) as session:
        if args.resend_refused:
            count, _ = session.resend_not_stored()
            print(f"{count} refused scan(s) queued again.", file=sys.stderr)
        engine = _engine(session, **options)
        if not args.once:
            return _run_until_interrupted(engine, args.json)
        report = engine.sync_once()
    if args.json:
        print_json(report.to_json())
    elif report.ok:
        print(_describe(report))
    if report.ok and report.rejected:
        # Never silent: these scans are on this kiosk only until they are resent.
        print(f"kiosk: {report.rejected} scan(s) refused by the server are not in the organizer's figures "
              "(see `kiosk status`; resend with `kiosk sync --resend-refused`).", file=sys.stderr)
        return EXIT_REFUSED
    else:
        print(f"kiosk: sync failed ({report.connectivity}): {report.error}", file=sys.stderr)
        print(f"{report.waiting_to_sync} waiting to sync; nothing was lost.", file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_ERROR


def _run_until_interrupted(engine, as_json: bool) -> int:
    import json

    lock = threading.Lock()  # listeners run on the engine's thread

    def on_event(event) -> None:
        with lock:
            if event.kind == "state_changed":
                if as_json:
                    print(json.dumps({"event": "state_changed", "state": event.state, "previous": event.previous}))
                else:
                    print(f"Sync is {event.state} (was {event.previous}).")
            elif event.kind == "sync_finished":
                report = event.report
                busy = (report.walkins_pushed or report.checkins_pushed or report.roster_changes
                        or report.checkins_pulled or report.rejected or not report.ok)
                if as_json:
                    print(json.dumps({"event": "sync_finished", "report": report.to_json()}))
                elif busy:
                    print(_describe(report))
            sys.stdout.flush()

    engine.add_listener(on_event)
    stopped = threading.Event()
    if not as_json:
        print(f"Syncing every {engine.interval:g} s; Ctrl-C to stop.")
    engine.start()
    try:
        while not stopped.wait(3600):
            pass
    except KeyboardInterrupt:
        pass
    return EXIT_OK  # the session stops and closes the engine


def add_commands(commands: argparse._SubParsersAction) -> None:
    sub = commands.add_parser(
        "enroll",
        help="enroll this kiosk with a server using a one-time code, then download the event",
        description="Exchange a one-time enrollment code (or the text of the enrollment QR code) for a device "
        "token, kept in the OS keyring, then download the event and its roster.",
    )
    sub.add_argument("payload", nargs="?", help="the enrollment QR text (checkin-kiosk://enroll?...) or the code")
    sub.add_argument("--server", help="the server's address, e.g. http://192.168.1.10:8000 (default: the 'server_url' "
                     "setting; in the QR text already)")
    sub.add_argument("--code", help="the one-time enrollment code (or the enrollment QR text)")
    sub.add_argument("--name", help="a name for this kiosk on the organizer's dashboard (default: host name)")
    sub.add_argument("--no-download", action="store_true", help="do not download the event and roster now")
    sub.add_argument("--json", action="store_true", help="print the result as JSON")
    sub.set_defaults(handler=cmd_enroll)

    sub = commands.add_parser(
        "sync",
        help="sync with the server: push queued check-ins, pull other kiosks' (until Ctrl-C, or --once)",
        description="Push this kiosk's queued walk-ins and check-ins, pull the roster and other kiosks' "
        "check-ins. Without --once, keeps syncing and prints each change of state until Ctrl-C.",
    )
    sub.add_argument("--once", action="store_true", help="one round, then exit (status 1 if it failed)")
    sub.add_argument("--json", action="store_true", help="print reports as JSON (one object per line when running)")
    sub.add_argument("--resend-refused", action="store_true",
                     help="queue again the scans the server refused (after fixing the cause), then sync")
    sub.add_argument("--interval", type=float, default=None,
                     help="seconds between rounds (default: the 'sync_interval_seconds' setting, 5)")
    sub.set_defaults(handler=cmd_sync)
