"""The reference central API (FastAPI on SQLAlchemy): see docs/api.md."""

from sync.server.app import ServerSettings, create_app

__all__ = ["ServerSettings", "create_app"]
