"""The server's schema: migrations match the models on both databases, and the OpenAPI document is committed."""

from __future__ import annotations

import json

import httpx
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from sync.server.database import Database
from sync.server.models import Base
from sync.server.openapi import openapi_document
from tests.sync.server.support import REPO


def test_migrations_build_exactly_the_models_and_rerun_as_no_op(db_url):
    db = Database(db_url)
    try:
        db.migrate()
        db.migrate()  # a second start finds nothing to do
        with db.engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            assert differences == []
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0003"
    finally:
        db.dispose()


def test_committed_openapi_document_matches_the_app(server):
    committed = json.loads((REPO / "docs" / "openapi.json").read_text(encoding="utf-8"))
    assert committed == openapi_document(), "regenerate: python -m sync.server.openapi docs/openapi.json"
    served = httpx.get(f"{server.url}/openapi.json", timeout=10).json()
    assert served == committed
    assert set(committed["paths"]) >= {
        "/api/v1/devices/enroll", "/api/v1/events/{event_id}/attendees", "/api/v1/events/{event_id}/checkins",
        "/api/v1/events/{event_id}/checkin", "/api/v1/events/{event_id}/rsvp", "/api/v1/events/{event_id}/stream",
        "/health",
    }
    assert committed["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
