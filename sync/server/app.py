"""The reference central API as an ASGI app: ``create_app(db_url)``."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI, Request

from sync import wire
from sync.server.database import Database
from sync.server.errors import BodySizeLimit, install_error_handlers, ok
from sync.server.routes import router

API_VERSION = "1.0.0"
ROSTER_BODY_LIMIT = 100 * 1024 * 1024  # sync.roster_csv.MAX_FILE_BYTES: a 500,000-row CSV


@dataclass(frozen=True)
class ServerSettings:
    stream_poll_seconds: float = 1.0
    stream_heartbeat_seconds: float = 15.0
    max_body_bytes: int = wire.MAX_BODY_BYTES


def build_api(db: Database | None, settings: ServerSettings | None = None) -> FastAPI:
    """The app around an (already migrated) database; ``None`` only to render the OpenAPI document."""
    settings = settings or ServerSettings()
    app = FastAPI(
        title="checkin-kiosk central API",
        version=API_VERSION,
        description="The contract between check-in kiosks and the central server. See docs/api.md.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.db = db
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(router)
    app.add_middleware(BodySizeLimit, default_limit=settings.max_body_bytes,
        limits_by_suffix={"/roster": ROSTER_BODY_LIMIT})

    @app.get("/health", response_model=wire.Envelope[wire.Health], tags=["health"])
    def health(request: Request):
        """Liveness and database reachability (no token needed)."""
        database_ok = request.app.state.db.ping()
        return ok(wire.Health(status="ok" if database_ok else "degraded", database=database_ok, version=API_VERSION))

    return app


def create_app(db_url: str, settings: ServerSettings | None = None) -> FastAPI:
    """Open (and migrate) the database at ``db_url`` and build the app on it.

    ``db_url``: ``sqlite:///path.db`` (or a plain path) or ``postgresql+psycopg://user:pw@host/db``.
    """
    db = Database(db_url)
    db.migrate()
    return build_api(db, settings)
