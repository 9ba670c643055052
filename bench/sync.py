"""Benchmark of sync with the reference server on loopback: initial download and offline push.

Run:  .venv/bin/python bench/sync.py [--attendees 100000] [--checkins 10000] [--page 5000] [--batch 1000]

Starts the reference server (``python -m sync.server``) in its own process on
127.0.0.1 with a SQLite database, creates an event whose roster CSV holds
``--attendees`` rows, enrolls a fresh kiosk replica with a one-time code, then:

1. times the initial download (event, roster pages, check-in log, heartbeat);
2. queues ``--checkins`` check-ins offline (the desk's own log and outbox rows,
   written in bulk: the setup is not what is measured) and times the push.

Prints seconds and requests against the brief's bars (100,000 attendees in
10 s; 10,000 check-ins in 5 s), and where the time went: CPU seconds of the
server process and of the kiosk (unlike wall time, they do not grow when other
programs compete for the CPU), time spent waiting for replies (request sent to
reply headers; the next page is fetched while one is written, so this overlaps
the replica's work) and reading and validating replies.
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


def cpu_seconds(pid: int) -> float | None:
    """User+system CPU time of a process (Linux /proc), robust to a busy machine, unlike wall time."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


class Measure:
    """Wall time, requests, and CPU time of the kiosk (this process) and of the server process."""

    def __init__(self, label: str, client: TimedClient, server: subprocess.Popen):
        self.label, self.client, self.server = label, client, server

    def __enter__(self) -> "Measure":
        self.client.reset()
        self.server_cpu = cpu_seconds(self.server.pid)
        self.kiosk_cpu = time.process_time()
        self.wall = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.wall
        kiosk_cpu = time.process_time() - self.kiosk_cpu
        server_cpu = cpu_seconds(self.server.pid)
        server_cpu = f"{server_cpu - self.server_cpu:5.2f} s" if server_cpu is not None else "  n/a"
        self.requests = self.client.requests
        if exc[0] is None:
            print(f"{self.label}: {self.seconds:6.2f} s wall, {self.requests} requests | CPU: server {server_cpu}, "
                  f"kiosk {kiosk_cpu:5.2f} s | waiting for replies {self.client.transport.server_seconds:5.2f} s, "
                  f"reading+validating {self.client.call_seconds - self.client.transport.server_seconds:5.2f} s")


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

        with Measure(f"download of {args.attendees:,} attendees", client, server) as download:
            report = engine.download()
            if not report.ok or report.roster_changes != args.attendees:
                raise SystemExit(f"download failed: {report.error} ({report.roster_changes} changes)")

        queue_offline_checkins(replica, event.id, args.checkins)
        with Measure(f"push of {args.checkins:,} check-ins", client, server) as push:
            report = engine.sync_once(pull=False)
            if not report.ok or report.checkins_pushed != args.checkins:
                raise SystemExit(f"push failed: {report.error} ({report.checkins_pushed} pushed)")

        with Measure(f"pull back of the {args.checkins:,} stored check-ins", client, server):
            report = engine.sync_once(push=False)
        engine.close()
    finally:
        server.terminate()
        server.wait(10)

    print()
    for label, measure, bar in (
        ("initial download", download, DOWNLOAD_TARGET_S), ("push offline", push, PUSH_TARGET_S)
    ):
        verdict = "ok" if measure.seconds <= bar else "MISSED"
        print(f"{label:17s} {measure.seconds:6.2f} s  {measure.requests:4d} requests  (bar {bar:.0f} s: {verdict})")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (wall times on a busy machine are inflated)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
