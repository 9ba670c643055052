"""The two CSV exports, one format for a kiosk's replica and for the server.

A kiosk that has synced and the server write the same files for the same event (same
columns, same row order), so an organizer can reconcile them line by line. Cells that a
spreadsheet would run as formulas are quoted as text (CSV injection) with a leading
apostrophe, which :func:`from_spreadsheet_safe` takes off again when the file is imported
(sync.roster_csv): export then import gives back every value. Files start with a UTF-8
byte-order mark unless asked not to (scripts), so spreadsheets read accents right. A file is written beside its
destination and moved into place: a failed export leaves no half file.
"""

from __future__ import annotations

import csv
import os
from datetime import datetime
from pathlib import Path
from typing import Iterable

CHECKIN_COLUMNS = ("id", "time_utc", "kind", "result", "attendee_name", "ticket_code", "door",
                   "device_id", "operator", "duplicate", "undone", "flag", "undoes_id", "reason")
ATTENDEE_COLUMNS = ("first_name", "last_name", "email", "ticket_code", "ticket_type", "status", "plus_ones",
                    "walk_in", "checked_in", "arrival_time_utc", "arrival_door", "inside", "merged_into")
# Spreadsheets run cells starting with these as formulas (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"  # a spreadsheet shows a cell that starts with it as text


def iso(moment: datetime | None) -> str:
    return moment.isoformat() + "Z" if moment else ""


def yes(flag: bool) -> str:
    return "yes" if flag else "no"


def checkin_row(c, attendee_name: str, ticket_code: str, undone: bool) -> tuple:
    """One scan (a replica's or the server's check-in row) in CHECKIN_COLUMNS order."""
    return (c.id, iso(c.device_time), c.kind, c.result, attendee_name, ticket_code, c.door, c.device_id, c.operator,
            yes(c.duplicate), yes(undone), c.flag, c.undoes_id or "", c.reason or "")


def attendee_row(a, arrived_at: datetime | None, arrival_door: str | None, merged_into: str | None) -> tuple:
    """One attendee (a replica's or the server's row) in ATTENDEE_COLUMNS order."""
    return (a.first_name, a.last_name, a.email or "", a.ticket_code, a.ticket_type, a.status, a.plus_ones,
            yes(a.is_walkin), yes(a.arrival_id is not None), iso(arrived_at), arrival_door or "", yes(a.inside),
            merged_into or "")


def checkin_order(row: tuple) -> tuple:
    """Oldest scan first (device time, then id): rows in CHECKIN_COLUMNS order."""
    return row[1], row[0]


def attendee_order(row: tuple) -> tuple:
    """By last name, first name, ticket code, compared as code points on every database."""
    return row[1], row[0], row[3]


def _guarded(text: str) -> bool:
    """Whether a cell is a guard apostrophe followed by what it guards (see :func:`spreadsheet_safe`)."""
    if not text.startswith(GUARD) or len(text) < 2:
        return False
    second = text[1]
    return second in FORMULA_STARTS or second == GUARD or second.isspace()


def spreadsheet_safe(value) -> str:
    """A cell that a spreadsheet shows as text, never runs as a formula (CSV injection).

    A value starting a formula gets a leading apostrophe; so does a value that would
    otherwise read as guarded (an apostrophe, then a formula start, an apostrophe or a
    space), so that :func:`from_spreadsheet_safe` gives every value back exactly. Any
    other value, "'Ohana" included, is written as it is.
    """
    text = "" if value is None else str(value)
    return GUARD + text if text.startswith(FORMULA_STARTS) or _guarded(text) else text


def from_spreadsheet_safe(cell: str) -> str:
    """The value a :func:`spreadsheet_safe` cell holds (its guard apostrophe, if any, taken off)."""
    return cell[1:] if _guarded(cell) else cell


def write_csv(path: Path | str, header: Iterable[str], rows: list[tuple], *, bom: bool = True) -> int:
    """Write UTF-8 CSV to a side file, then move it into place; return the number of rows.

    With ``bom`` (the default) the file starts with a UTF-8 byte-order mark, which tells a
    spreadsheet the file is UTF-8 (without it, many show accented names garbled); scripts
    ask for ``bom=False``. The roster import accepts either.
    """
    path = Path(path)
    partial_path = path.with_name(path.name + ".part")
    try:
        with open(partial_path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial_path, path)
    except BaseException:
        partial_path.unlink(missing_ok=True)
        raise
    return len(rows)
