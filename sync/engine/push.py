"""Push: one stage per kind of queued item, a batch at a time, oldest first.

Each batch is marked sent only once the server's verdicts on it are stored; a
failure stops the round with the rest still queued (the API is idempotent on
client UUIDs, so sending again is always safe). Walk-ins go before check-ins:
a check-in stage does not send items queued after a walk-in still waiting, so
the server learns about the walk-in first. A new kind of queued item is one
more :class:`OutboxKind`.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from sync import wire
from sync.backends.base import CentralBackend
from sync.backends.errors import BadReplyError, RequestRefusedError, SyncError
from sync.engine.report import SyncEvent, SyncReport
from sync.engine.stage import Round
from sync.reconcile import PushCounts, apply_checkin_verdicts, apply_walkin_verdicts, mark_refused, note_failure
from sync.replica.database import ReplicaError
from sync.replica.queries import outbox as outbox_queries

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxKind:
    """How one kind of outbox row reaches the server and how its verdicts come back."""

    kind: str  # OutboxItem.kind
    model: type[BaseModel]  # the wire schema an item must pass before it is sent
    send: Callable[[CentralBackend, str, list[dict]], list]
    apply: Callable[[Session, list, list, datetime], PushCounts]
    tally: Callable[[SyncReport, PushCounts, list[dict], list], None]
    after: str | None = None  # a kind whose earlier items must reach the server first


def _tally_walkins(report: SyncReport, counts: PushCounts, items: list[dict], verdicts: list) -> None:
    report.walkins_pushed += counts.accepted
    report.walkins_merged += counts.merged


def _tally_checkins(report: SyncReport, counts: PushCounts, items: list[dict], verdicts: list) -> None:
    report.checkins_pushed += counts.accepted + counts.duplicates
    report.duplicates += counts.duplicates
    # Verdicts that change what the local log shows: a duplicate, a flag, another attendee (a merge).
    report.checkins_changed += sum(
        1 for item, v in zip(items, verdicts)
        if v.status == "duplicate" or v.flag or (v.attendee_id and v.attendee_id != item.get("attendee_id"))
    )


WALKINS = OutboxKind("walkin", wire.WalkinItem, lambda backend, event_id, items: backend.push_walkins(event_id, items),
                     apply_walkin_verdicts, _tally_walkins)
CHECKINS = OutboxKind("checkin", wire.CheckinItem,
                      lambda backend, event_id, items: backend.push_checkins(event_id, items),
                      apply_checkin_verdicts, _tally_checkins, after="walkin")


class PushStage:
    """Push every queued item of one kind.

    Pipelined: while the server works on one batch, the previous batch's verdicts
    are written and the next batch is read and checked. A verdict is still applied
    only once it has arrived.
    """

    def __init__(self, spec: OutboxKind):
        self.spec = spec
        self.name = f"push {spec.kind}"
        self.part = "push"

    def run(self, rnd: Round) -> None:
        before = None
        if self.spec.after:
            with rnd.replica.session(write=False) as s:
                before = outbox_queries.first_pending_id(s, self.spec.after)
        report = rnd.report
        with ThreadPoolExecutor(1, thread_name_prefix="sync-push") as network:
            batch = self._next_batch(rnd, 0, before)
            in_flight = None  # (rows, items, future) of the batch the server is working on
            while batch is not None or in_flight is not None:
                sent = None
                if batch is not None:
                    last_id, rows, items = batch
                    pushed = report.checkins_pushed + report.walkins_pushed
                    rnd.emit(SyncEvent("progress", phase="push", done=pushed, total=pushed + len(items)))
                    sent = (rows, items, network.submit(self.spec.send, rnd.backend, rnd.event_id, items))
                    batch = self._next_batch(rnd, last_id, before)
                if in_flight is not None:
                    rows, items, future = in_flight
                    self._deliver(rnd, rows, items, future.result)
                in_flight = sent

    def _next_batch(self, rnd: Round, after: int, before: int | None):
        """``(last row id, sendable rows, their items)`` of the next batch, or None at the end.

        Items that can never be sent as they are (not JSON, refused by the wire schema)
        are flagged and taken out of the queue here, so they cannot hold the others back.
        """
        kind = self.spec.kind
        while True:
            with rnd.replica.session(write=False) as s:
                rows = outbox_queries.pending_rows(s, kind, rnd.batch_size, after, before)
            if not rows:
                return None
            items, sendable = [], []
            for row in rows:
                try:
                    item = json.loads(row.payload_json)
                    self.spec.model.model_validate(item)
                except (ValueError, ValidationError) as exc:
                    problem = _first_problem(exc)
                    log.error("outbox item %s (%s %s) is invalid and will not be sent: %s",
                              row.id, kind, row.ref_id, problem)
                    rnd.report.rejected += 1
                    rnd.report.rejections.append(f"{kind} {row.ref_id}: invalid ({problem})")
                    with rnd.replica.session() as s:
                        mark_refused(s, [row], f"invalid: {problem}", rnd.clock())
                    continue
                items.append(item)
                sendable.append(row)
            if items:
                return rows[-1].id, sendable, items
            after = rows[-1].id

    def _deliver(self, rnd: Round, rows: list, items: list, verdicts_of: Callable[[], list]) -> None:
        """Apply the verdicts of one sent batch; a batch refused as malformed is split."""
        try:
            verdicts = verdicts_of()
        except RequestRefusedError as exc:
            if exc.code not in (wire.E_VALIDATION, wire.E_PAYLOAD_TOO_LARGE):
                _note_failure(rnd, rows, exc)
                raise
            self._split(rnd, rows, items, exc)
            return
        except SyncError as exc:
            _note_failure(rnd, rows, exc)
            raise
        with rnd.replica.session() as s:
            counts = self.spec.apply(s, rows, verdicts, rnd.clock())
        self.spec.tally(rnd.report, counts, items, verdicts)
        _count_rejections(counts, rnd.report)

    def _split(self, rnd: Round, rows: list, items: list, refusal: RequestRefusedError) -> None:
        """A batch the server refused as a whole: halve it until the bad item is alone.

        A refusal of the whole request is not a verdict on any item (a proxy, or a server
        that misbehaves, may refuse anything): an item refused alone stays queued, is
        counted as held back, and is sent again next round.
        """
        if len(items) == 1:
            rnd.report.held_back += 1
            rnd.report.rejections.append(f"{self.spec.kind} {rows[0].ref_id}: the server refused the request "
                                         "holding it; kept queued, to be sent again")
            _note_failure(rnd, rows, refusal)
            return
        half = len(items) // 2
        for part_rows, part_items in ((rows[:half], items[:half]), (rows[half:], items[half:])):
            self._deliver(rnd, part_rows, part_items,
                          lambda part=part_items: self.spec.send(rnd.backend, rnd.event_id, part))


def held_back_error(report: SyncReport) -> SyncError | None:
    """After the push: items the server refused without a verdict each make the round degraded."""
    if not report.held_back:
        return None
    return BadReplyError(
        f"The server refused {report.held_back} queued item(s) as a whole request, without a verdict on "
        "each; they stay queued and will be sent again. If this goes on, the server or a proxy on the way "
        "does not take what this kiosk sends.", code="refused_whole")


def _note_failure(rnd: Round, rows: list, exc: SyncError) -> None:
    try:
        with rnd.replica.session() as s:
            note_failure(s, rows, str(exc))
    except ReplicaError:
        pass  # the round fails anyway; the rows are still queued


def _count_rejections(counts: PushCounts, report: SyncReport) -> None:
    if counts.rejected:
        report.rejected += counts.rejected
        report.rejections.extend(counts.rejections)
        for line in counts.rejections:
            log.warning("the server rejected %s", line)


def _first_problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
    return str(exc)[:200]


__all__ = ["CHECKINS", "WALKINS", "OutboxKind", "PushStage", "held_back_error"]
