"""The roster and the log as files: ``kiosk import-roster`` and ``kiosk export``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.cli.common import EXIT_OK, NO_BOM_HELP, CliError, kiosk_session


def cmd_import_roster(args) -> int:
    from kiosk.core.roster import import_roster
    from sync.roster_csv import RosterFileError
    from sync.roster_mapping import parse_map, preset

    if args.map and args.preset:
        raise CliError("give --map or --preset, not both")
    try:
        mapping = parse_map(args.map) if args.map else preset(args.preset) if args.preset else None
    except RosterFileError as exc:
        raise CliError(str(exc)) from exc
    with kiosk_session(args) as session:
        server = session.sync_status().server
        if server:
            # Attendees added only here would never reach the server or the other kiosks.
            raise CliError(f"this kiosk is enrolled with {server}: import the roster on the server instead "
                           "(kiosk server create-event --roster, or the staff desk on the organizer's laptop)")
        try:
            report = import_roster(session.replica, args.file, event_name=args.event_name,
                                   skip_invalid=args.skip_invalid, mapping=mapping)
        except RosterFileError as exc:
            raise CliError(f"{args.file}: {exc}") from exc
    for error in report.errors:
        print(f"{args.file}:{error.line}: {error.reason}", file=sys.stderr)
    if not report.imported:
        raise CliError(f"{len(report.errors)} bad row(s); nothing was imported "
                       "(fix them, or use --skip-invalid to import the good rows)")
    skipped = f", {len(report.errors)} bad row(s) skipped" if report.errors else ""
    print(f"Imported: {report.created} new, {report.updated} updated, {report.unchanged} unchanged{skipped}.")
    return EXIT_OK


def cmd_export(args) -> int:
    from kiosk.core.roster import export_attendees, export_checkins

    export = export_checkins if args.what == "checkins" else export_attendees
    with kiosk_session(args) as session:
        try:
            count = export(session.replica, args.file, bom=not args.no_bom)
        except OSError as exc:
            raise CliError(f"cannot write {args.file}: {exc.strerror}") from exc
    print(f"Wrote {count} row(s) to {args.file}.")
    return EXIT_OK


def add_commands(commands: argparse._SubParsersAction) -> None:
    help = "import or update the roster from a CSV file"
    sub = commands.add_parser("import-roster", help=help, description=help)
    sub.add_argument("file", type=Path, metavar="FILE.csv")
    sub.add_argument("--event-name", help="name of the event (default: the file's name)")
    sub.add_argument("--skip-invalid", action="store_true", help="import the good rows, report the bad ones")
    sub.add_argument("--map", metavar='"HEADER=field,..."',
                     help="which header holds which field, e.g. \"Barcode #=ticket_code,First Name=first_name\" "
                          "(fields: first_name, last_name, email, ticket_code, status, ticket_type, plus_ones)")
    sub.add_argument("--preset", choices=["pretix", "eventbrite"],
                     help="read a pretix check-in list or an Eventbrite attendee report "
                          "(detected from the header when not given)")
    sub.set_defaults(handler=cmd_import_roster)

    help = "export the check-in log or the attendees to CSV"
    sub = commands.add_parser("export", help=help, description=help)
    sub.add_argument("what", choices=["checkins", "attendees"])
    sub.add_argument("file", type=Path, metavar="FILE.csv")
    sub.add_argument("--no-bom", action="store_true", help=NO_BOM_HELP)
    sub.set_defaults(handler=cmd_export)
