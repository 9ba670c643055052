"""Test support for the reference server: databases, the live server over real HTTP, request helpers."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sync.clock import utcnow
from sync.server.database import normalise_url
from sync.server.thread import free_port
from tests.live_server import LiveServer  # noqa: F401  (the server tests' name for the one live server)

REPO = Path(__file__).resolve().parents[3]
POSTGRES_ENV = "KIOSK_TEST_POSTGRES_URL"


# ---- databases ---------------------------------------------------------------------------


class PostgresSchema:
    """A private schema in the test database: each test starts from nothing, tests may run in parallel."""

    def __init__(self, base_url: str):
        self.base_url = normalise_url(base_url)
        self.schema = f"t_{uuid.uuid4().hex[:12]}"
        self.url = make_url(self.base_url).update_query_dict(
            {"options": f"-csearch_path={self.schema}"}
        ).render_as_string(hide_password=False)
        self._engine = create_engine(self.base_url)
        with self._engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {self.schema}"))

    def drop(self) -> None:
        with self._engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE"))
        self._engine.dispose()


# ---- the server ----------------------------------------------------------------------------


class ServerProcess:
    """``python -m sync.server`` in its own process (several may share one database).

    Started at construction; :meth:`wait_ready` waits for /health, so several can start at once.
    """

    def __init__(self, db_url: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, PYTHONPATH=str(REPO))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sync.server", "--db", db_url, "--port", str(self.port), "--log-level", "warning"],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )

    def wait_ready(self, timeout: float = 30) -> "ServerProcess":
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server process did not start: {self.stop()}")
            time.sleep(0.1)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self.process.stdout:
            return ""
        with self.process.stdout:
            return self.process.stdout.read()


# ---- requests ------------------------------------------------------------------------------


class Api:
    """An HTTP client of /api/v1 with one bearer token; answers are (status, envelope).

    Every client made during a test is closed when it ends (``close_clients``, an autouse
    fixture of conftest), so a test may make one inline without leaking its connections.
    """

    opened: list["Api"] = []

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 30):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(base_url=f"{base_url}/api/v1", headers=headers, timeout=timeout)
        Api.opened.append(self)

    def get(self, path: str, **params):
        response = self.http.get(path, params=params)
        return response.status_code, response.json()

    def post(self, path: str, body=None, *, content: bytes | None = None, headers: dict | None = None):
        if content is not None:
            response = self.http.post(path, content=content, headers=headers)
        else:
            response = self.http.post(path, json=body, headers=headers)
        return response.status_code, response.json()

    def delete(self, path: str):
        response = self.http.delete(path)
        return response.status_code, response.json()

    def data(self, method: str, path: str, *args, expect: int = 200, **kw):
        status, body = getattr(self, method)(path, *args, **kw)
        assert status == expect, (status, body)
        assert body["success"] is True and body["error"] is None
        return body["data"]

    def close(self) -> None:
        self.http.close()


def close_clients() -> None:
    """Close every :class:`Api` client made so far."""
    while Api.opened:
        Api.opened.pop().close()


def roster_csv(rows: list[tuple]) -> bytes:
    """rows: (first, last, email, code[, status])."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["first_name", "last_name", "email", "ticket_code", "status"])
    for row in rows:
        writer.writerow(list(row) + ["confirmed"] * (5 - len(row)))
    return out.getvalue().encode()


def iso(moment: datetime) -> str:
    return moment.isoformat() + "Z"


def checkin(event_id: str, code: str | None, *, at: datetime | None = None, kind: str = "entry",
            result: str | None = None, attendee_id: str | None = None, device: str = "dev-a", door: str = "Door 1",
            undoes: str | None = None, item_id: str | None = None) -> dict:
    """A check-in item exactly shaped like sync.outbox.checkin_item()."""
    return {
        "id": item_id or str(uuid.uuid4()),
        "event_id": event_id,
        "attendee_id": attendee_id,
        "ticket_code": code,
        "kind": kind,
        "result": result or {"entry": "admitted", "exit": "exited", "undo": "undone"}[kind],
        "undoes_id": undoes,
        "device_id": device,
        "door": door,
        "operator": "sam",
        "device_time": iso(at or utcnow()),
    }


def walkin(event_id: str, first: str, email: str | None, code: str, *, item_id: str | None = None,
           device: str = "dev-a", last: str = "Walker") -> dict:
    """A walk-in item exactly shaped like sync.outbox.walkin_item()."""
    return {
        "id": item_id or str(uuid.uuid4()),
        "event_id": event_id,
        "first_name": first,
        "last_name": last,
        "email": email,
        "ticket_code": code,
        "ticket_type": "Walk-in",
        "plus_ones": 0,
        "device_id": device,
        "created_at": iso(utcnow()),
    }


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
