"""The local SQLite replica: schema, migrations and the session factory."""

from sync.replica.database import Replica, open_replica

__all__ = ["Replica", "open_replica"]
