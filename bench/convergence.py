"""Benchmark of convergence after an outage: ten kiosks, the server back, how long until all agree.

Run:  .venv/bin/python bench/convergence.py [--kiosks 10] [--attendees 10000] [--scans 200] [--interval 5]

The reference server runs in its own process on 127.0.0.1 (SQLite). Ten kiosk replicas are
enrolled with one-time codes and download the roster. Then the server is stopped (the Wi-Fi
dies) while every kiosk's sync engine keeps running on its APScheduler interval, as in the app;
each kiosk checks in ``--scans`` tickets through the real door desk (neighbouring kiosks share
a quarter of their tickets: the same ticket let in at two doors) and registers two walk-ins.
The server is started again on the same port and database, and the clock starts: convergence
is the moment every kiosk has pushed everything and reports the same arrived / inside /
duplicates / walk-ins as the server, and the server holds every scan. Bar (brief §6): within
2 sync intervals. All kiosks share this process (and its GIL), which makes the figure
pessimistic next to ten laptops.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # before bench/: bench/sync.py must not shadow the sync package

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from keyring.backends import fail  # noqa: E402

from kiosk.core.desk import CheckinDesk  # noqa: E402
from kiosk.core.results import Result  # noqa: E402
from kiosk.core.stats import replica_stats  # noqa: E402
from kiosk.core.walkins import register_walkin  # noqa: E402
from sync import wire  # noqa: E402
from sync.client import ApiClient  # noqa: E402
from sync.credentials import CredentialStore  # noqa: E402
from sync.engine import SyncEngine  # noqa: E402
from sync.enrollment import enroll  # noqa: E402
from sync.replica import open_replica  # noqa: E402
from sync.server import admin  # noqa: E402
from sync.status import ONLINE  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_sync", ROOT / "bench" / "sync.py")
bench_sync = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_sync)  # its server process, port and roster helpers

FIGURES = ("arrived", "inside", "walkins", "duplicates")


class Door:
    """One kiosk: its replica, its door desk and its running sync engine."""

    def __init__(self, work: Path, number: int, url: str, code: str, interval: float):
        data_dir = work / f"kiosk-{number:02d}"
        self.replica = open_replica(data_dir)
        credentials = CredentialStore(data_dir, self.replica.device_id, fail.Keyring())
        enroll(self.replica, code, url, credentials=credentials, name=f"kiosk {number}")
        self.engine = SyncEngine(self.replica, credentials=credentials, interval=interval)
        report = self.engine.download()
        if not report.ok:
            raise SystemExit(f"kiosk {number}: download failed: {report.error}")
        self.desk = CheckinDesk(self.replica, door=f"Door {number}")
        self.number = number

    def figures(self) -> dict:
        stats = replica_stats(self.replica)
        return {key: stats[key] for key in (*FIGURES, "waiting_to_sync")}

    def close(self) -> None:
        self.engine.stop()
        self.engine.close()
        self.replica.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=10)
    parser.add_argument("--attendees", type=int, default=10_000)
    parser.add_argument("--scans", type=int, default=200, help="tickets checked in at each kiosk while offline")
    parser.add_argument("--interval", type=float, default=5.0, help="sync interval of every kiosk, seconds")
    parser.add_argument("--outage", type=float, default=20.0, help="seconds the server stays down")
    args = parser.parse_args()
    step = args.scans * 3 // 4  # the last quarter of each kiosk's tickets is the next kiosk's first
    if (args.kiosks - 1) * step + args.scans > args.attendees:
        raise SystemExit("not enough attendees for these scans")

    work = Path(tempfile.mkdtemp(prefix="bench-convergence-"))
    db_url = f"sqlite:///{work / 'server.sqlite3'}"
    print(f"CPUs: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}; data in {work}")
    db = admin.open_database(db_url)
    event, _ = admin.new_event(db, wire.CreateEventRequest(name="Convergence"), bench_sync.roster_csv(args.attendees))
    codes = [admin.new_enrollment_code(db, event.id, door=f"Door {k}").code for k in range(args.kiosks)]
    organizer_token = admin.new_admin_token(db, "bench")
    db.engine.dispose()

    port = bench_sync.free_port()
    url = f"http://127.0.0.1:{port}"
    server = bench_sync.start_server(db_url, port)
    doors = [Door(work, k, url, codes[k], args.interval) for k in range(args.kiosks)]
    print(f"{args.kiosks} kiosks enrolled, {args.attendees:,} attendees downloaded each;"
          f" sync every {args.interval:g} s")

    server.terminate()  # the Wi-Fi dies
    server.wait(10)
    for door in doors:
        door.engine.start()
    outage_started = time.monotonic()
    tickets: set[str] = set()
    for door in doors:
        first = door.number * step
        for i in range(first, first + args.scans):
            code = f"BN-{i:07d}"
            decision = door.desk.scan(code)
            if decision.result is not Result.ADMITTED:
                raise SystemExit(f"kiosk {door.number}: {code} was {decision.result}")
            tickets.add(code)
            door.engine.trigger()  # as the app does after each local change
        for j in range(2):
            register_walkin(door.replica, f"Walkin{door.number}x{j}", "Bench", f"walkin{door.number}.{j}@example.org",
                            desk=door.desk)
            door.engine.trigger()
    scans = args.kiosks * args.scans
    time.sleep(max(0.0, args.outage - (time.monotonic() - outage_started)))
    waiting = sum(door.figures()["waiting_to_sync"] for door in doors)
    print(f"offline for {time.monotonic() - outage_started:.0f} s: {scans:,} scans of {len(tickets):,} tickets "
          f"and {2 * args.kiosks} walk-ins, {waiting:,} items waiting to sync")

    expected = {"arrived": len(tickets) + 2 * args.kiosks, "inside": len(tickets) + 2 * args.kiosks,
                "walkins": 2 * args.kiosks, "duplicates": scans - len(tickets)}
    server = bench_sync.start_server(db_url, port)  # the Wi-Fi returns
    back = time.monotonic()
    online_after: dict[int, float] = {}
    converged = None
    polls = 0
    try:
        with ApiClient(url, organizer_token) as organizer:
            while time.monotonic() - back < 20 * args.interval:
                polls += 1
                stats = organizer.stats(event.id)
                on_server = {"arrived": stats.arrived, "inside": stats.inside, "walkins": stats.walk_ins,
                             "duplicates": stats.duplicates}
                agree = on_server == expected
                for door in doors:
                    if door.number not in online_after and door.engine.state == ONLINE:
                        online_after[door.number] = time.monotonic() - back
                    figures = door.figures()
                    agree = agree and figures.pop("waiting_to_sync") == 0 and figures == expected
                if agree:
                    converged = time.monotonic() - back
                    break
                time.sleep(0.1)
    finally:
        for door in doors:
            door.close()
        server.terminate()
        server.wait(10)

    print(f"expected everywhere: {expected}")
    if online_after:
        print(f"kiosks back online after: first {min(online_after.values()):.2f} s, "
              f"last {max(online_after.values()):.2f} s")
    if converged is None:
        print(f"NOT converged after {20 * args.interval:g} s (bar {2 * args.interval:g} s: MISSED)")
        return 1
    verdict = "ok" if converged <= 2 * args.interval else "MISSED"
    print(f"all {args.kiosks} kiosks and the server agree {converged:.2f} s after the server came back = "
          f"{converged / args.interval:.2f} sync intervals (bar 2 intervals: {verdict})")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
