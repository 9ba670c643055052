"""`kiosk server ...`: run the reference central API and set it up from its host."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.cli.common import EXIT_OK, EXIT_USAGE, NO_BOM_HELP, CliError, print_json

DB_HELP = "the server database: sqlite:///path.db (or a file path) or postgresql://user:password@host/db"


# The request fields whose option is not simply "--" and the field's name with dashes.
_OPTION_OF_FIELD = {"venue_capacity": "--capacity"}


def _usage_error(exc) -> CliError:
    """A request the server would refuse (a pydantic ValidationError), as a usage error in words."""
    problem = exc.errors()[0]
    field = str(problem["loc"][0]) if problem["loc"] else ""
    option = _OPTION_OF_FIELD.get(field, "--" + field.replace("_", "-"))
    bounds = problem.get("ctx") or {}
    if "ge" in bounds or "gt" in bounds:
        words = f"must be at least {bounds.get('ge', bounds.get('gt'))}, not {problem['input']}"
    elif "le" in bounds or "lt" in bounds:
        words = f"must be at most {bounds.get('le', bounds.get('lt'))}, not {problem['input']}"
    else:
        words = problem["msg"].removeprefix("Value error, ")
    return CliError(f"{option}: {words}", EXIT_USAGE)


def _database(args):
    from sync.server.admin import open_database
    from sync.server.database import DatabaseUnavailable

    try:
        return open_database(args.db)
    except DatabaseUnavailable as exc:
        raise CliError(str(exc)) from exc


def cmd_run(args) -> int:
    from sync.server.admin import bind, serve
    from sync.server.database import DatabaseUnavailable

    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        raise CliError(str(exc)) from exc
    print(f"Serving the central API on http://{args.host}:{args.port}/api/v1 (Ctrl+C stops it).", file=sys.stderr)
    try:
        serve(args.db, args.host, args.port, args.log_level, sock=sock)
    except DatabaseUnavailable as exc:
        raise CliError(str(exc)) from exc
    return EXIT_OK


def cmd_create_event(args) -> int:
    from pydantic import ValidationError

    from sync import wire
    from sync.roster_csv import RosterFileError, parse_roster
    from sync.server.admin import new_event

    try:
        request = wire.CreateEventRequest(name=args.name, venue_capacity=args.capacity, timezone=args.timezone)
    except ValidationError as exc:
        raise _usage_error(exc) from exc
    roster = None
    if args.roster is not None:
        try:
            roster = args.roster.read_bytes()
            errors = parse_roster(roster).errors
        except OSError as exc:
            raise CliError(f"cannot read {args.roster}: {exc.strerror or exc}") from exc
        except RosterFileError as exc:
            raise CliError(f"{args.roster}: {exc}") from exc
        for error in errors:
            print(f"{args.roster}:{error.line}: {error.reason}", file=sys.stderr)
        if errors and not args.skip_invalid:
            raise CliError(f"{len(errors)} bad row(s); no event was created (fix them, or use --skip-invalid)")
    db = _database(args)
    try:
        event, imported = new_event(db, request, roster)
    finally:
        db.dispose()
    if args.json:
        print_json({"event": event.model_dump(mode="json"),
                    "roster": imported.model_dump(mode="json") if imported else None})
        return EXIT_OK
    if imported is not None:
        print(f"Roster: {imported.created} attendees imported, {len(imported.problems)} bad row(s) skipped.",
              file=sys.stderr)
    print(event.id)
    return EXIT_OK


def cmd_enrollment_code(args) -> int:
    from pydantic import ValidationError

    from sync import wire
    from sync.server.admin import new_enrollment_code
    from sync.server.devices import enroll_uri
    from sync.server.errors import ApiError

    try:  # the server's own bounds, checked before the database is opened
        wire.EnrollmentCodeRequest(door=args.door, name=args.name, ttl_minutes=args.ttl_minutes)
    except ValidationError as exc:
        raise _usage_error(exc) from exc
    db = _database(args)
    try:
        code = new_enrollment_code(db, args.event, door=args.door, name=args.name, ttl_minutes=args.ttl_minutes)
    except ApiError as exc:
        raise CliError(exc.message) from exc
    finally:
        db.dispose()
    uri = enroll_uri(args.server, code.code)
    if args.qr is not None:
        _write_qr(args.qr, uri)
    if args.json:
        print_json(code.model_dump(mode="json") | {"uri": uri, "qr": str(args.qr) if args.qr else None})
        return EXIT_OK
    where = f" at {code.door}" if code.door else ""
    print(f"One-time code for event {code.event_id}{where}, valid until {code.expires_at:%Y-%m-%d %H:%M} UTC:",
          file=sys.stderr)
    print(code.code)
    return EXIT_OK


def _write_qr(path: Path, text: str) -> None:
    import qrcode

    try:
        qrcode.make(text, border=4, box_size=10).save(str(path))
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from exc


def cmd_admin_token(args) -> int:
    from sync.server.admin import new_admin_token

    db = _database(args)
    try:
        token = new_admin_token(db, args.name)
    finally:
        db.dispose()
    print("An organizer token: shown once, keep it secret (the server stores only its hash).", file=sys.stderr)
    print(token)
    return EXIT_OK


def cmd_devices(args) -> int:
    from sync.server.admin import list_devices

    db = _database(args)
    try:
        devices = list_devices(db, args.event)
    finally:
        db.dispose()
    if args.json:
        print_json([{k: (v.isoformat() + "Z" if hasattr(v, "isoformat") else v) for k, v in d.items()}
                    for d in devices])
        return EXIT_OK
    if not devices:
        print(f"No kiosk is enrolled for event {args.event}.", file=sys.stderr)
    for d in devices:
        seen = f"{d['last_seen_at']:%Y-%m-%d %H:%M} UTC" if d["last_seen_at"] else "never"
        state = f"REVOKED {d['revoked_at']:%Y-%m-%d %H:%M} UTC" if d["revoked_at"] else "active"
        print(f"{d['device_id']}  {d['name'] or '-'}  door: {d['door'] or '-'}  last seen: {seen}  {state}")
    return EXIT_OK


def cmd_revoke_device(args) -> int:
    from sync.server.admin import revoke
    from sync.server.errors import ApiError

    db = _database(args)
    try:
        revoke(db, args.device_id)
    except ApiError as exc:
        raise CliError(exc.message) from exc
    finally:
        db.dispose()
    print(f"Device {args.device_id} is revoked: its token no longer works; enroll it again to bring it back.",
          file=sys.stderr)
    return EXIT_OK


def cmd_export(args) -> int:
    from sync.server.admin import export_csv
    from sync.server.errors import ApiError

    db = _database(args)
    try:
        count = export_csv(db, args.event, args.what, args.file, bom=not args.no_bom)
    except ApiError as exc:
        raise CliError(exc.message) from exc
    except OSError as exc:
        raise CliError(f"cannot write {args.file}: {exc.strerror or exc}") from exc
    finally:
        db.dispose()
    print(f"Wrote {count} row(s) to {args.file}.")
    return EXIT_OK


def add_commands(subparsers) -> None:
    server = subparsers.add_parser(
        "server", help="run or set up the reference central API",
        description="The reference central API: run it, create events, enroll kiosks.",
    )
    commands = server.add_subparsers(dest="server_command", metavar="SUBCOMMAND")
    server.set_defaults(handler=lambda args: _usage(server))

    run = commands.add_parser("run", help="serve the API (uvicorn)")
    run.add_argument("--db", required=True, help=DB_HELP)
    run.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default 127.0.0.1; 0.0.0.0 for the LAN)")
    run.add_argument("--port", type=int, default=8080)
    run.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    run.set_defaults(handler=cmd_run)

    create = commands.add_parser("create-event", help="create an event (optionally with its roster); prints its id")
    create.add_argument("--db", required=True, help=DB_HELP)
    create.add_argument("--name", required=True)
    create.add_argument("--capacity", type=int, default=None, help="venue capacity")
    create.add_argument("--timezone", default="UTC", help="the venue's time zone, e.g. Europe/Paris")
    create.add_argument("--roster", type=Path, default=None, metavar="FILE.csv", help="import this roster CSV")
    create.add_argument("--skip-invalid", action="store_true", help="import the good rows of a roster with bad rows")
    create.add_argument("--json", action="store_true", help="print the event (and import report) as JSON")
    create.set_defaults(handler=cmd_create_event)

    code = commands.add_parser("enrollment-code", help="make a one-time code that enrolls a kiosk; prints it")
    code.add_argument("--db", required=True, help=DB_HELP)
    code.add_argument("--event", required=True, help="the event id")
    code.add_argument("--door", default="", help="the door the kiosk will stand at")
    code.add_argument("--name", default="", help="a name for the kiosk")
    code.add_argument("--ttl-minutes", type=int, default=60 * 24,
                      help="how long the code stays valid, in minutes (default: one day)")
    code.add_argument("--server", default=None, metavar="URL",
                      help="the server's URL, put in the QR code with the code")
    code.add_argument("--qr", type=Path, default=None, metavar="FILE.png", help="also write an enrollment QR code")
    code.add_argument("--json", action="store_true")
    code.set_defaults(handler=cmd_enrollment_code)

    devices = commands.add_parser("devices", help="list the kiosks enrolled for an event")
    devices.add_argument("--db", required=True, help=DB_HELP)
    devices.add_argument("--event", required=True, help="the event id")
    devices.add_argument("--json", action="store_true")
    devices.set_defaults(handler=cmd_devices)

    revoke = commands.add_parser("revoke-device", help="revoke a kiosk's device token (a lost or retired kiosk)")
    revoke.add_argument("--db", required=True, help=DB_HELP)
    revoke.add_argument("device_id", help="the device id (see 'devices')")
    revoke.set_defaults(handler=cmd_revoke_device)

    export = commands.add_parser(
        "export", help="export the event's check-in log or attendees to CSV (the kiosk's format, to reconcile)")
    export.add_argument("--db", required=True, help=DB_HELP)
    export.add_argument("--event", required=True, help="the event id")
    export.add_argument("what", choices=["checkins", "attendees"])
    export.add_argument("file", type=Path, metavar="FILE.csv")
    export.add_argument("--no-bom", action="store_true", help=NO_BOM_HELP)
    export.set_defaults(handler=cmd_export)

    token = commands.add_parser("admin-token", help="create an organizer token; prints it once")
    token.add_argument("--db", required=True, help=DB_HELP)
    token.add_argument("--name", default="", help="who or what the token is for")
    token.set_defaults(handler=cmd_admin_token)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE
