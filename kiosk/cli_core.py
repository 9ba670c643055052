"""Core headless commands: roster, check-in, undo, lookup, search, walk-in, status, export."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timezone
from pathlib import Path

from kiosk.cli import EXIT_OK, EXIT_REFUSED, CliError, cli_settings, print_json
from sync.clock import parse_utc


def _open(args):
    from sync.replica import open_replica

    return open_replica(args.data_dir)


def _desk(args, replica):
    from kiosk.core.desk import CheckinDesk

    door, operator = getattr(args, "door", "") or "", getattr(args, "operator", "") or ""
    if not (door and operator):  # the options win; else the door and operator this kiosk is set up with
        settings = cli_settings()
        door, operator = door or settings.door_name, operator or settings.operator
    return CheckinDesk(replica, door=door, operator=operator)


def _require_event(desk) -> None:
    if desk.event_id is None:
        raise CliError("no event on this kiosk yet: run `kiosk import-roster FILE.csv` or `kiosk enroll` first")


def _local(moment) -> str:
    return moment.replace(tzinfo=timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _who(view) -> str:
    return f"{view.full_name} <{view.email}> [{view.ticket_code}]" if view.email else f"{view.full_name} [{view.ticket_code}]"


# ---- commands ---------------------------------------------------------------


def cmd_import_roster(args) -> int:
    from kiosk.core.roster import import_roster
    from sync.roster_csv import RosterFileError

    from sync.status import sync_status

    replica = _open(args)
    server = sync_status(replica)["server"]
    if server:
        # Attendees added only here would never reach the server or the other kiosks.
        raise CliError(f"this kiosk is enrolled with {server}: import the roster on the server instead "
                       "(kiosk server create-event --roster, or the staff desk on the organizer's laptop)")
    try:
        report = import_roster(replica, args.file, event_name=args.event_name, skip_invalid=args.skip_invalid)
    except RosterFileError as exc:
        raise CliError(f"{args.file}: {exc}") from exc
    for error in report.errors:
        print(f"{args.file}:{error.line}: {error.reason}", file=sys.stderr)
    if not report.imported:
        raise CliError(
            f"{len(report.errors)} bad row(s); nothing was imported (fix them, or use --skip-invalid to import the good rows)"
        )
    skipped = f", {len(report.errors)} bad row(s) skipped" if report.errors else ""
    print(f"Imported: {report.created} new, {report.updated} updated, {report.unchanged} unchanged{skipped}.")
    return EXIT_OK


def cmd_checkin(args) -> int:
    replica = _open(args)
    desk = _desk(args, replica)
    _require_event(desk)
    direction = "exit" if args.exit else "entry"
    if args.payload != "-":
        return _report_decision(desk.scan(args.payload, direction), args.json, one_line=False)
    # One payload per line from standard input, as a hand scanner or a script sends them;
    # each result is printed (and flushed) only once it is committed.
    status = EXIT_OK
    for line in sys.stdin:
        if line.strip():
            decision = desk.scan(line.rstrip("\r\n"), direction)
            status = max(status, _report_decision(decision, args.json, one_line=True))
    return status


def _report_decision(decision, as_json: bool, one_line: bool) -> int:
    if as_json and one_line:
        print(json.dumps(decision.to_json(), ensure_ascii=False), flush=True)
    elif as_json:
        print_json(decision.to_json())
    else:
        name = f" {decision.attendee.full_name}:" if decision.attendee else ""
        print(f"{decision.colour.upper()}{name} {decision.reason}", flush=True)
    return EXIT_OK if decision.result.ok else EXIT_REFUSED


def cmd_undo(args) -> int:
    replica = _open(args)
    desk = _desk(args, replica)
    _require_event(desk)
    outcome = desk.undo(args.payload)
    if args.json:
        print_json({"undone": outcome.undone, "reason": outcome.reason,
                    "attendee": outcome.attendee.to_json() if outcome.attendee else None,
                    "undo_id": outcome.undo_id})
    else:
        print(outcome.reason)
    return EXIT_OK if outcome.undone else EXIT_REFUSED


def cmd_lookup(args) -> int:
    replica = _open(args)
    desk = _desk(args, replica)
    _require_event(desk)
    found = desk.lookup(args.payload)
    if args.json:
        print_json({
            "result": found.refusal.value if found.refusal else "found",
            "reason": found.reason,
            "attendee": found.attendee.to_json() if found.attendee else None,
            "first_checkin": found.first_checkin.to_json() if found.first_checkin else None,
            "history": [
                {"id": h.id, "kind": h.kind, "result": h.result, "time": h.time.isoformat() + "Z",
                 "door": h.door, "duplicate": h.duplicate, "undone": h.undone}
                for h in found.history
            ],
        })
    else:
        if found.attendee:
            a = found.attendee
            print(f"{_who(a)}\n  {a.ticket_type}, {a.status}, plus-ones: {a.plus_ones}"
                  f"{', walk-in' if a.is_walkin else ''}\n  {found.reason}")
            for h in found.history:
                marks = " (undone)" if h.undone else "" + (" (duplicate)" if h.duplicate else "")
                print(f"  {_local(h.time)}  {h.kind:5}  {h.result:20} {h.door}{marks}")
        else:
            print(found.reason)
    return EXIT_OK if found.attendee is not None else EXIT_REFUSED


def cmd_search(args) -> int:
    from kiosk.core.search import search

    replica = _open(args)
    event_id = replica.get_state("event_id")
    if event_id is None:
        raise CliError("no event on this kiosk yet: run `kiosk import-roster FILE.csv` or `kiosk enroll` first")
    hits = search(replica, event_id, args.text, limit=args.limit)
    if args.json:
        print_json([hit.attendee.to_json() for hit in hits])
    else:
        for hit in hits:
            a = hit.attendee
            state = "inside" if a.inside else "checked in" if a.checked_in else a.status
            print(f"{_who(a)}  {state}")
        if not hits:
            print("No one found.", file=sys.stderr)
    return EXIT_OK


def cmd_walkin(args) -> int:
    from kiosk.core.walkins import register_walkin

    replica = _open(args)
    desk = _desk(args, replica)
    _require_event(desk)
    outcome = register_walkin(replica, args.first_name, args.last_name or "", args.email, desk=desk)
    if args.json:
        print_json({
            "created": outcome.created,
            "reason": outcome.reason,
            "attendee": outcome.attendee.to_json() if outcome.attendee else None,
            "decision": outcome.decision.to_json() if outcome.decision else None,
            "existing": outcome.existing.to_json() if outcome.existing else None,
        })
    elif outcome.created:
        print(f"GREEN {outcome.attendee.full_name}: registered and checked in, ticket {outcome.attendee.ticket_code}")
    elif outcome.existing:
        print(f"{outcome.reason} Check them in instead: kiosk checkin {outcome.existing.ticket_code}")
    else:
        print(outcome.reason)
    if outcome.created:
        return EXIT_OK
    if outcome.existing:
        return EXIT_REFUSED
    raise CliError(outcome.reason, status=2)


def cmd_status(args) -> int:
    from kiosk.core.stats import replica_stats
    from sync.status import sync_status

    replica = _open(args)
    stats = replica_stats(replica)
    stats["device_id"] = replica.device_id
    stats["sync"] = sync_status(replica)
    if args.json:
        stats["arrivals_per_5min"] = [[t.isoformat() + "Z", n] for t, n in stats["arrivals_per_5min"]]
        print_json(stats)
        return EXIT_OK
    event = stats["event"]
    print(f"Event:      {event['name'] if event else '(none yet)'}")
    print(f"Arrived:    {stats['arrived']} of {stats['expected']} expected")
    print(f"Inside:     {stats['inside']}")
    print(f"Walk-ins:   {stats['walkins']}")
    print(f"Duplicates: {stats['duplicates']}")
    print(f"To sync:    {stats['waiting_to_sync']} waiting")
    sync = stats["sync"]
    if sync["server"] is None:
        print("Sync:       not enrolled with a server (this kiosk works alone)")
        return EXIT_OK
    last_sync = parse_utc(sync["last_sync"])
    last = _local(last_sync) if last_sync else "never"
    print(f"Sync:       {sync['connectivity']} with {sync['server']}, last synced {last}")
    if sync["connectivity"] != "online" and sync["last_error"]:
        print(f"Last error: {sync['last_error']}")
    offset = sync["clock_offset_seconds"]
    if offset is not None and abs(offset) >= 60:
        print(f"Clock:      this machine's clock is {abs(offset):.0f} s {'behind' if offset > 0 else 'ahead of'} the server's")
    return EXIT_OK


def cmd_export(args) -> int:
    from kiosk.core.roster import export_attendees, export_checkins

    replica = _open(args)
    export = export_checkins if args.what == "checkins" else export_attendees
    try:
        count = export(replica, args.file)
    except OSError as exc:
        raise CliError(f"cannot write {args.file}: {exc.strerror}") from exc
    print(f"Wrote {count} row(s) to {args.file}.")
    return EXIT_OK


def add_commands(commands: argparse._SubParsersAction) -> None:
    def command(name, handler, help):
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(handler=handler)
        return sub

    sub = command("import-roster", cmd_import_roster, "import or update the roster from a CSV file")
    sub.add_argument("file", type=Path, metavar="FILE.csv")
    sub.add_argument("--event-name", help="name of the event (default: the file's name)")
    sub.add_argument("--skip-invalid", action="store_true", help="import the good rows, report the bad ones")

    for name, handler, help in (
        ("checkin", cmd_checkin, "check a scanned or typed code in (exit status 0 admitted, 3 refused)"),
        ("undo", cmd_undo, "undo the latest check-in or check-out of a ticket"),
        ("lookup", cmd_lookup, "show a ticket and its history without checking it in"),
    ):
        sub = command(name, handler, help)
        sub.add_argument("payload", metavar="PAYLOAD", help="the ticket code or QR payload" + (" (- reads one per line from standard input)" if name == "checkin" else ""))
        sub.add_argument("--json", action="store_true", help="print a JSON object")
        if name != "lookup":
            sub.add_argument("--door", default="", help="the door's name, recorded with the scan "
                             "(default: the 'door_name' setting)")
            sub.add_argument("--operator", default="", help="who is at the door (default: the 'operator' setting)")
        if name == "checkin":
            sub.add_argument("--exit", action="store_true", help="an exit scan instead of an entry")

    sub = command("search", cmd_search, "search attendees by name, e-mail or ticket code")
    sub.add_argument("text")
    sub.add_argument("--limit", type=int, default=25)
    sub.add_argument("--json", action="store_true")

    sub = command("walkin", cmd_walkin, "register a walk-in and check them in")
    sub.add_argument("--first-name", required=True)
    sub.add_argument("--last-name", default="")
    sub.add_argument("--email")
    sub.add_argument("--door", default="")
    sub.add_argument("--operator", default="")
    sub.add_argument("--json", action="store_true")

    sub = command("status", cmd_status, "the event's figures and the sync state")
    sub.add_argument("--json", action="store_true")

    sub = command("export", cmd_export, "export the check-in log or the attendees to CSV")
    sub.add_argument("what", choices=["checkins", "attendees"])
    sub.add_argument("file", type=Path, metavar="FILE.csv")
