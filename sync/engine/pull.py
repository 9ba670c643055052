"""Pull: the event, then each feed a page at a time, in the order the server applied the changes.

A feed's cursor is the backend's opaque string; it moves in the same transaction
as the page it covers, so a round cut short anywhere starts again where the
replica is. A new feed is one more :class:`Feed`.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy.orm import Session

from sync.backends import base
from sync.engine.report import SyncEvent, SyncReport
from sync.engine.stage import Round
from sync.reconcile import apply_checkin_page, apply_event, apply_roster_page
from sync.replica.queries import sync_state
from sync.status import K_CHECKIN_CURSOR, K_HIGH_WATER, K_ROSTER_CURSOR

log = logging.getLogger(__name__)

MAX_PAGES_PER_ROUND = 1000  # a bound, so a server that never says "no more" cannot hold a round forever


class EventStage:
    """The event record and its signing keys (rotations, retired keys)."""

    name = "event"
    part = "pull"

    def run(self, rnd: Round) -> None:
        event = rnd.backend.event(rnd.event_id)
        with rnd.replica.session() as s:
            rnd.report.event_changed = apply_event(s, event) or rnd.report.event_changed


@dataclass(frozen=True)
class Feed:
    """One feed: its name at the backend, where its cursor is kept, how a page is applied."""

    name: str  # the backend's feed, also the progress phase
    cursor_key: str  # sync_state key of the cursor
    apply: Callable[[Session, Any], int]  # (session, page with .items) -> changes applied
    tally: Callable[[SyncReport, int], None]


ROSTER = Feed(base.ROSTER, K_ROSTER_CURSOR, apply_roster_page,
              lambda report, n: setattr(report, "roster_changes", report.roster_changes + n))
CHECKINS = Feed(base.CHECKINS, K_CHECKIN_CURSOR, apply_checkin_page,
                lambda report, n: setattr(report, "checkins_pulled", report.checkins_pulled + n))


class FeedStage:
    """Pull one feed to its end (or :data:`MAX_PAGES_PER_ROUND` pages).

    The next page is fetched (the server works, the reply is parsed) while this one is
    written to the replica: an initial download costs about max(server, replica), not the sum.
    """

    def __init__(self, feed: Feed):
        self.feed = feed
        self.name = f"pull {feed.name}"
        self.part = "pull"

    def run(self, rnd: Round) -> None:
        feed = self.feed
        cursor = rnd.replica.get_state(feed.cursor_key) or None
        # Once a feed has been downloaded, smaller pages: each page is one write transaction,
        # and door scans wait for it, so catching up after a reconnect holds the replica briefly.
        limit = rnd.page_size if rnd.backend.at_start(cursor) else rnd.live_page_size
        fetch = rnd.backend.pull
        done = 0
        with ThreadPoolExecutor(1, thread_name_prefix="sync-prefetch") as prefetch:
            page = fetch(feed.name, rnd.event_id, cursor, limit)
            for _ in range(MAX_PAGES_PER_ROUND):
                following = (prefetch.submit(fetch, feed.name, rnd.event_id, page.cursor, limit)
                             if page.has_more else None)
                try:
                    with rnd.replica.session() as s:
                        applied = feed.apply(s, page)
                        # The cursor moves in the same transaction as the page it covers.
                        moved = {feed.cursor_key: page.cursor}
                        if page.high_water is not None:
                            moved[K_HIGH_WATER] = str(page.high_water)
                        sync_state.put_many(s, moved)
                except BaseException:
                    if following is not None:
                        following.cancel()
                    raise
                feed.tally(rnd.report, applied)
                done += page.advanced
                total = done + page.remaining
                rnd.emit(SyncEvent("progress", phase=feed.name, total=total,
                                   done=done if following is not None else total))
                if following is None:
                    break
                page = following.result()
