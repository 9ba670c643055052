"""``kiosk status``: the event's figures and the sync state, in the door's own words."""

from __future__ import annotations

import argparse

from kiosk.cli.common import EXIT_OK, event_time, kiosk_session, print_json


def cmd_status(args) -> int:
    from kiosk.core.stats import replica_stats
    from kiosk.core.status_words import SyncStatus, event_zone

    with kiosk_session(args) as session:
        stats = replica_stats(session.replica)
        stats["device_id"] = session.replica.device_id
        stats["sync"] = session.sync_status_dict()
        words = session.describe_sync(SyncStatus.of(stats["sync"], event_zone(session.event.timezone)))
        not_stored = session.not_stored()
    if args.json:
        stats["sync"]["words"] = words
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
    else:
        from sync.clock import parse_utc

        last_sync = parse_utc(sync["last_sync"])
        print(f"Sync:       {sync['connectivity']} with {sync['server']}, "
              f"last synced {event_time(last_sync, session) if last_sync else 'never'}")
    # What the door's status line says, with the reason and the fix when not online.
    print(f"Door shows: {words}")
    if stats["not_stored"]:
        print(f"NOT STORED: {stats['not_stored']} scan(s) recorded here were refused by the server and are "
              "not in the organizer's figures; fix the cause, then `kiosk sync --resend-refused`:")
        for _id, kind, ref_id, why in not_stored:
            print(f"  {kind} {ref_id}: {why}")
    if sync["server"] is None:
        return EXIT_OK
    if sync["connectivity"] != "online" and sync["last_error"]:
        print(f"Last error: {sync['last_error']}")
    offset = sync["clock_offset_seconds"]
    if offset is not None and abs(offset) >= 60:
        side = "behind" if offset > 0 else "ahead of"
        print(f"Clock:      this machine's clock is {abs(offset):.0f} s {side} the server's")
    return EXIT_OK


def add_commands(commands: argparse._SubParsersAction) -> None:
    help = "the event's figures and the sync state"
    sub = commands.add_parser("status", help=help, description=help)
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_status)
