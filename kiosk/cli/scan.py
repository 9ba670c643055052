"""At the door, headless: ``kiosk checkin``, ``undo``, ``lookup``, ``search`` and ``walkin``."""

from __future__ import annotations

import argparse
import json
import sys

from kiosk.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    CliError,
    event_time,
    kiosk_session,
    print_json,
    require_event,
)
from sync import limits


def who(view) -> str:
    email = f" <{view.email}>" if view.email else ""
    return f"{view.full_name}{email} [{view.ticket_code}]"


def cmd_checkin(args) -> int:
    direction = "exit" if args.exit else "entry"
    if args.force or args.reason is not None:
        return _force_checkin(args)
    with kiosk_session(args) as session:
        require_event(session)
        if args.payload != "-":
            return _report_decision(session.desk.scan(args.payload, direction), args.json, one_line=False,
                                    zone=session.event.timezone)
        # One payload per line from standard input, as a hand scanner or a script sends them;
        # each result is printed (and flushed) only once it is committed.
        status = EXIT_OK
        for line in sys.stdin:
            if line.strip():
                decision = session.desk.scan(line.rstrip("\r\n"), direction)
                status = max(status, _report_decision(decision, args.json, one_line=True,
                                                      zone=session.event.timezone))
        return status


def _force_checkin(args) -> int:
    """``--force --reason``: a supervisor lets in a guest the door rules refuse (waitlisted, cancelled)."""
    from kiosk.core.desk import override_reason

    if not (args.force and args.reason is not None):
        raise CliError("A forced check-in needs both --force and --reason \"why they are let in\".", EXIT_USAGE)
    if args.exit or args.payload == "-":
        raise CliError("--force checks one code in: not with --exit or '-'.", EXIT_USAGE)
    try:
        reason = override_reason(args.reason)
    except ValueError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    with kiosk_session(args) as session:
        require_event(session)
        found = session.desk.lookup(args.payload)
        if found.attendee is None:  # nobody to let in: the door's own refusal, logged as usual
            decision = session.desk.scan(args.payload)
        else:
            decision = session.desk.force_checkin(found.attendee.id, reason)
        return _report_decision(decision, args.json, one_line=False, zone=session.event.timezone)


def _report_decision(decision, as_json: bool, one_line: bool, zone: str | None = None) -> int:
    """Print the door's result; a time in it ("Already checked in at 09:14") is the event's, named."""
    if as_json and one_line:
        print(json.dumps(decision.to_json(), ensure_ascii=False), flush=True)
    elif as_json:
        print_json(decision.to_json())
    else:
        name = f" {decision.attendee.full_name}:" if decision.attendee else ""
        in_zone = f" (time in {zone or 'UTC'})" if decision.first_checkin else ""
        print(f"{decision.colour.upper()}{name} {decision.reason}{in_zone}", flush=True)
    return EXIT_OK if decision.result.ok else EXIT_REFUSED


def cmd_undo(args) -> int:
    with kiosk_session(args) as session:
        require_event(session)
        outcome = session.desk.undo(args.payload)
    if args.json:
        print_json({"undone": outcome.undone, "reason": outcome.reason,
                    "attendee": outcome.attendee.to_json() if outcome.attendee else None,
                    "undo_id": outcome.undo_id})
    else:
        print(outcome.reason)
    return EXIT_OK if outcome.undone else EXIT_REFUSED


def cmd_lookup(args) -> int:
    with kiosk_session(args) as session:
        require_event(session)
        found = session.desk.lookup(args.payload)
    if args.json:
        print_json({
            "result": found.refusal.value if found.refusal else "found",
            "reason": found.reason,
            "attendee": found.attendee.to_json() if found.attendee else None,
            "first_checkin": found.first_checkin.to_json() if found.first_checkin else None,
            "history": [
                {"id": h.id, "kind": h.kind, "result": h.result, "time": h.time.isoformat() + "Z",
                 "door": h.door, "duplicate": h.duplicate, "undone": h.undone, "reason": h.reason}
                for h in found.history
            ],
        })
    elif found.attendee:
        a = found.attendee
        print(f"{who(a)}\n  {a.ticket_type}, {a.status}, plus-ones: {a.plus_ones}"
              f"{', walk-in' if a.is_walkin else ''}\n  {found.reason}")
        for h in found.history:
            marks = " (undone)" if h.undone else "" + (" (duplicate)" if h.duplicate else "")
            print(f"  {event_time(h.time, session)}  {h.kind:5}  {h.result:20} {h.door}{marks}")
    else:
        print(found.reason)
    return EXIT_OK if found.attendee is not None else EXIT_REFUSED


def cmd_search(args) -> int:
    from kiosk.core.search import search

    with kiosk_session(args) as session:
        require_event(session)
        hits = search(session.replica, session.event.id, args.text, limit=args.limit)
    if args.json:
        print_json([hit.attendee.to_json() for hit in hits])
    else:
        for hit in hits:
            a = hit.attendee
            state = "inside" if a.inside else "checked in" if a.checked_in else a.status
            print(f"{who(a)}  {state}")
        if not hits:
            print("No one found.", file=sys.stderr)
    return EXIT_OK


def cmd_walkin(args) -> int:
    from kiosk.core.walkins import register_walkin

    with kiosk_session(args) as session:
        require_event(session)
        outcome = register_walkin(session.replica, args.first_name, args.last_name or "", args.email,
                                  desk=session.desk)
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
    raise CliError(outcome.reason, EXIT_USAGE)


def _add_door_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--door", default="", type=_bounded("door", limits.MAX_DOOR_CHARS),
                     help="the door's name, recorded with the scan (default: the 'door_name' setting)")
    sub.add_argument("--operator", default="", type=_bounded("operator", limits.MAX_OPERATOR_CHARS),
                     help="who is at the door (default: the 'operator' setting)")


def _bounded(what: str, most: int):
    """An option's text within the server's bound: longer, the scan could never be stored there."""
    def check(text: str) -> str:
        if len(text) > most:
            raise argparse.ArgumentTypeError(f"the {what} is at most {most} characters, not {len(text)}")
        return text
    return check


def add_commands(commands: argparse._SubParsersAction) -> None:
    def command(name, handler, help):
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(handler=handler)
        return sub

    for name, handler, help in (
        ("checkin", cmd_checkin, "check a scanned or typed code in (exit status 0 admitted, 3 refused)"),
        ("undo", cmd_undo, "undo the latest check-in or check-out of a ticket"),
        ("lookup", cmd_lookup, "show a ticket and its history without checking it in"),
    ):
        sub = command(name, handler, help)
        stdin = " (- reads one per line from standard input)" if name == "checkin" else ""
        sub.add_argument("payload", metavar="PAYLOAD", help="the ticket code or QR payload" + stdin)
        sub.add_argument("--json", action="store_true", help="print a JSON object")
        if name != "lookup":
            _add_door_options(sub)
        if name == "checkin":
            sub.add_argument("--exit", action="store_true", help="an exit scan instead of an entry")
            sub.add_argument("--force", action="store_true",
                             help="let in a waitlisted or cancelled guest anyway (a supervisor's override; "
                                  "needs --reason, logged and flagged for the organizer)")
            sub.add_argument("--reason", type=_bounded("reason", limits.MAX_OVERRIDE_REASON_CHARS),
                             help="why the guest is let in anyway (with --force)")

    sub = command("search", cmd_search, "search attendees by name, e-mail or ticket code")
    sub.add_argument("text")
    sub.add_argument("--limit", type=int, default=25)
    sub.add_argument("--json", action="store_true")

    sub = command("walkin", cmd_walkin, "register a walk-in and check them in")
    sub.add_argument("--first-name", required=True)
    sub.add_argument("--last-name", default="")
    sub.add_argument("--email")
    _add_door_options(sub)
    sub.add_argument("--json", action="store_true")
