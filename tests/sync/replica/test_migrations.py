"""The replica's schema: its migrations build exactly the tables models.py describes (as the server's do)."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import text

from sync.replica.database import MIGRATIONS_DIR, migrate, open_replica
from sync.replica.models import Base

# What models.py cannot describe, written by hand in the migrations: the attendee search
# index (an FTS5 virtual table, whose shadow tables SQLite makes itself) and the triggers
# that keep it in step with `attendees`.
SEARCH_INDEX = "attendee_search"
SEARCH_TRIGGERS = {"attendees_ai", "attendees_ad", "attendees_au"}


def _not_the_search_index(_object, name, type_, _reflected, _compare_to) -> bool:
    return not (type_ == "table" and (name == SEARCH_INDEX or name.startswith(f"{SEARCH_INDEX}_")))


def _differences(conn) -> list:
    context = MigrationContext.configure(conn, opts={"include_object": _not_the_search_index})
    return compare_metadata(context, Base.metadata)


def _schema(conn, kind: str) -> set[str]:
    return set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = :kind"), {"kind": kind}).scalars())


def _newest_revision() -> str:
    return sorted(p.name for p in (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))[-1][:4]


def test_migrations_build_exactly_the_models_and_rerun_as_no_op(tmp_path):
    replica = open_replica(tmp_path)
    try:
        migrate(replica.engine)  # a second start finds nothing to do
        with replica.engine.connect() as conn:
            assert _differences(conn) == []
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == _newest_revision()
            virtual = conn.execute(text("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'"))
            assert set(virtual.scalars()) == {SEARCH_INDEX}
            assert _schema(conn, "trigger") == SEARCH_TRIGGERS
    finally:
        replica.close()


def test_downgrade_removes_everything_and_upgrade_rebuilds_it(tmp_path):
    replica = open_replica(tmp_path)
    try:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        with replica.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
        with replica.engine.connect() as conn:
            assert _schema(conn, "table") == {"alembic_version"}
            assert _schema(conn, "trigger") == set()
        migrate(replica.engine)
        with replica.engine.connect() as conn:
            assert _differences(conn) == []
            assert _schema(conn, "trigger") == SEARCH_TRIGGERS
    finally:
        replica.close()
