"""Benchmark of sync with the reference server on loopback: initial download and offline push.

Run:  .venv/bin/python bench/sync.py [--attendees 100000] [--checkins 10000] [--page 5000] [--batch 1000]

Starts the reference server (``python -m sync.server``) in its own process on
127.0.0.1 with a SQLite database, creates an event whose roster CSV holds
``--attendees`` rows, enrolls a fresh kiosk replica with a one-time code, then:

1. times the initial download (event, roster pages, check-in log, heartbeat);
2. queues ``--checkins`` check-ins offline (the desk's own log and outbox rows,
   written in bulk: the setup is not what is measured) and times the push.

Prints seconds and requests against the brief's bars (100,000 attendees in
10 s; 10,000 check-ins in 5 s) and where the time went: waiting for the
server (request sent to reply headers), reading and validating replies, and
applying them to the replica.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from keyring.backends import fail  # noqa: E402
from sqlalchemy import select  # noqa: E402

from sync import outbox, wire  # noqa: E402
from sync.client import ApiClient  # noqa: E402
from sync.clock import utcnow  # noqa: E402
from sync.credentials import CredentialStore  # noqa: E402
from sync.engine import SyncEngine  # noqa: E402
from sync.enrollment import enroll  # noqa: E402
from sync.replica import open_replica  # noqa: E402
from sync.replica.models import Attendee, Checkin  # noqa: E402
from sync.server import admin  # noqa: E402

DOWNLOAD_TARGET_S = 10.0
PUSH_TARGET_S = 5.0


class TimingTransport(httpx.HTTPTransport):
    """Time from sending a request to the reply's headers: the server's share (on loopback)."""

    def __init__(self):
        super().__init__()
        self.server_seconds = 0.0

    def handle_request(self, request):
        started = time.perf_counter()
        response = super().handle_request(request)
        self.server_seconds += time.perf_counter() - started
        return response


class TimedClient(ApiClient):
    def __init__(self, *args, **kwargs):
        self.transport = TimingTransport()
        super().__init__(*args, transport=self.transport, timeout=120, **kwargs)
        self.call_seconds = 0.0

    def _call(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return super()._call(*args, **kwargs)
        finally:
            self.call_seconds += time.perf_counter() - started

    def reset(self):
        self.transport.server_seconds = self.call_seconds = 0.0
        self.requests = 0


def roster_csv(n: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["first_name", "last_name", "email", "ticket_code"])
    for i in range(n):
        writer.writerow([f"First{i}", f"Last{i % 997}", f"person{i}@example.org", f"BN-{i:07d}"])
    return out.getvalue().encode()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db_url: str, port: int, extra_env: dict | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), **(extra_env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "sync.server", "--db", db_url, "--port", str(port)], env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def queue_offline_checkins(replica, event_id: str, n: int) -> None:
    """n admitted entries of n different attendees, logged and queued exactly as the desk does."""
    device_id = replica.device_id
    with replica.session() as s:
        attendees = s.execute(select(Attendee.id, Attendee.ticket_code).where(Attendee.event_id == event_id)
                              .order_by(Attendee.ticket_code).limit(n)).all()
        if len(attendees) < n:
            raise SystemExit(f"only {len(attendees)} attendees for {n} check-ins")
        now = utcnow()
        for attendee_id, code in attendees:
            checkin = Checkin(id=str(uuid.uuid4()), event_id=event_id, attendee_id=attendee_id, scanned_code=code,
                              kind="entry", result="admitted", device_id=device_id, door="Bench door",
                              operator="bench", device_time=now)
            s.add(checkin)
            outbox.enqueue(s, "checkin", checkin.id, outbox.checkin_item(checkin, code))


def breakdown(label: str, seconds: float, client: TimedClient) -> str:
    server = client.transport.server_seconds
    read = client.call_seconds - server
    local = seconds - client.call_seconds
    return (f"{label}: {seconds:6.2f} s, {client.requests} requests | server {server:5.2f} s, "
            f"read+validate {read:5.2f} s, replica {local:5.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, default=100_000)
    parser.add_argument("--checkins", type=int, default=10_000)
    parser.add_argument("--page", type=int, default=wire.MAX_PAGE_LIMIT)
    parser.add_argument("--batch", type=int, default=wire.MAX_BATCH_ITEMS)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    db_url = f"sqlite:///{work / 'server.sqlite3'}"
    print(f"CPUs: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}; data in {work}")
    started = time.perf_counter()
    db = admin.open_database(db_url)
    event, _ = admin.new_event(db, wire.CreateEventRequest(name="Bench"), roster_csv(args.attendees))
    code = admin.new_enrollment_code(db, event.id, door="Bench door").code
    db.engine.dispose()
    print(f"setup: event with {args.attendees} attendees in {time.perf_counter() - started:.1f} s")

    port = free_port()
    server = start_server(db_url, port)
    try:
        replica = open_replica(work / "kiosk")
        credentials = CredentialStore(work / "kiosk", replica.device_id, fail.Keyring())
        enroll(replica, code, f"http://127.0.0.1:{port}", credentials=credentials, name="bench")
        client = TimedClient(f"http://127.0.0.1:{port}", credentials.load())
        engine = SyncEngine(replica, client_factory=lambda: client, page_size=args.page, batch_size=args.batch)

        client.reset()
        t0 = time.perf_counter()
        report = engine.download()
        download_s = time.perf_counter() - t0
        if not report.ok or report.roster_changes != args.attendees:
            raise SystemExit(f"download failed: {report.error} ({report.roster_changes} changes)")
        print(breakdown(f"download of {args.attendees:,} attendees", download_s, client))
        download_requests = client.requests

        queue_offline_checkins(replica, event.id, args.checkins)
        client.reset()
        t0 = time.perf_counter()
        report = engine.sync_once(pull=False)
        push_s = time.perf_counter() - t0
        if not report.ok or report.checkins_pushed != args.checkins:
            raise SystemExit(f"push failed: {report.error} ({report.checkins_pushed} pushed)")
        print(breakdown(f"push of {args.checkins:,} check-ins", push_s, client))
        push_requests = client.requests

        client.reset()
        t0 = time.perf_counter()
        report = engine.sync_once(push=False)
        print(breakdown(f"pull back of the {report.checkins_pulled:,} stored check-ins", time.perf_counter() - t0,
                        client))
        engine.close()
    finally:
        server.terminate()
        server.wait(10)

    print()
    print(f"initial download  {download_s:6.2f} s  {download_requests:4d} requests  "
          f"(bar {DOWNLOAD_TARGET_S:.0f} s: {'ok' if download_s <= DOWNLOAD_TARGET_S else 'MISSED'})")
    print(f"push offline      {push_s:6.2f} s  {push_requests:4d} requests  "
          f"(bar {PUSH_TARGET_S:.0f} s: {'ok' if push_s <= PUSH_TARGET_S else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
