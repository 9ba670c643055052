"""An event's sequence: the server order of every change, safe across server processes.

The counter is the event row's ``last_seq``. A writer locks that row
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite writers are serialised by
``BEGIN IMMEDIATE``) before it reads anything it will decide on, hands out
numbers in memory, stores the last one, and commits, releasing the lock. So
numbers are unique and commit in increasing order: a reader that has seen
``seq = N`` never later finds a new change numbered ``<= N``. (A PostgreSQL
SEQUENCE would give unique numbers, but not in commit order.)
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sync.server.errors import ApiError
from sync.server.models import EventRow


class EventSequence:
    def __init__(self, session: Session, event_id: str):
        self.session = session
        self.event_id = event_id
        last = session.scalar(select(EventRow.last_seq).where(EventRow.id == event_id).with_for_update())
        if last is None:
            raise ApiError(404, "not_found", f"There is no event {event_id}.")
        self.start = self.value = last

    def next(self) -> int:
        self.value += 1
        return self.value

    def save(self) -> None:
        if self.value != self.start:
            self.session.execute(update(EventRow).where(EventRow.id == self.event_id).values(last_seq=self.value))
            self.start = self.value
