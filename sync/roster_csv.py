"""Reading a roster CSV (hostile input) into validated rows.

Shared by the kiosk's import and the reference server's roster import, so it
imports nothing from ``kiosk``. Whole-file problems (not UTF-8, no header,
missing columns, too big) raise :class:`RosterFileError`; a bad row never
raises, it becomes a :class:`RowError` naming its line in the file, so one
pass reports every problem at once.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sync import limits
from sync.export_csv import from_spreadsheet_safe

if TYPE_CHECKING:
    from sync.roster_mapping import RosterMapping

# The one rule for an opaque ticket code; kiosk.core.payload uses it for scans.
CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-:.]{2,%d}" % (limits.MAX_TICKET_CODE_CHARS - 1))

REQUIRED_COLUMNS = ("first_name", "last_name", "email", "ticket_code")
OPTIONAL_COLUMNS = ("status", "ticket_type", "plus_ones")
STATUSES = ("confirmed", "waitlisted", "cancelled")
DEFAULT_STATUS = "confirmed"
DEFAULT_TICKET_TYPE = "General"
MAX_PLUS_ONES = limits.MAX_PLUS_ONES
MAX_ROWS = 500_000
MAX_FILE_BYTES = 100 * 1024 * 1024
# The bounds every party agrees on (sync.limits): what is imported here, the server stores.
MAX_LENGTHS = {
    "first_name": limits.MAX_NAME_CHARS, "last_name": limits.MAX_NAME_CHARS, "email": limits.MAX_EMAIL_CHARS,
    "ticket_code": limits.MAX_TICKET_CODE_CHARS, "ticket_type": limits.MAX_TICKET_TYPE_CHARS,
}
# Deliberately loose: one @, something before it, a dot in the domain, no spaces.
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
DELIMITERS = (",", ";")


class RosterFileError(Exception):
    """The file as a whole cannot be read as a roster; the message says why and what to do."""


@dataclass(slots=True)  # not frozen: a frozen __init__ is measurably slower at 500k rows
class RosterRow:
    line: int  # 1-based line in the file where the record starts
    first_name: str
    last_name: str
    email: str | None  # lower-cased; None when the cell is empty
    ticket_code: str
    status: str = DEFAULT_STATUS
    ticket_type: str = DEFAULT_TICKET_TYPE
    plus_ones: int = 0


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class RosterParse:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # The optional columns the file has: an importer leaves the others untouched on update.
    columns: frozenset[str] = frozenset()
    delimiter: str = ","


def parse_roster(source: Path | str | bytes, mapping: RosterMapping | None = None) -> RosterParse:
    """Parse a roster file (a path) or its bytes. Raises RosterFileError for whole-file problems.

    ``mapping`` says which header holds which field (sync.roster_mapping); without one, a
    file lacking our column names is read with the preset its header matches, if any.
    """
    text = _clean_text(_decode(_read(source)))
    reader_source = io.StringIO(text, newline="")
    header_line, header_text = _first_nonblank_line(reader_source)
    delimiter, columns, statuses = _read_header(header_text, mapping)
    reader_source.seek(0)
    reader = csv.reader(reader_source, delimiter=delimiter)
    for _ in range(header_line):  # skip blank lines before the header, then the header
        next(reader)
    result = RosterParse(columns=frozenset(c for c in OPTIONAL_COLUMNS if c in columns), delimiter=delimiter)
    width = max(columns.values()) + 1
    codes: dict[str, int] = {}
    record_count = 0
    end_line = header_line
    while True:
        start_line = end_line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise RosterFileError(f"Line {start_line} cannot be read as CSV ({exc}).") from exc
        end_line = reader.line_num
        if not "".join(cells).strip():
            continue  # blank lines and rows of empty cells carry nothing
        record_count += 1
        if record_count > MAX_ROWS:
            raise RosterFileError(
                f"The file has more than {MAX_ROWS:,} attendee rows; split it into several files."
            )
        row_or_error = _validate(cells, columns, width, start_line, end_line > start_line, statuses)
        if isinstance(row_or_error, RowError):
            result.errors.append(row_or_error)
            continue
        row = row_or_error
        earlier = codes.get(row.ticket_code)
        if earlier is not None:
            result.errors.append(RowError(start_line,
                f"ticket code {row.ticket_code} is already used on line {earlier}"))
            continue
        # Several attendees may share an e-mail (a family booking, an office address).
        codes[row.ticket_code] = start_line
        result.rows.append(row)
    if record_count == 0:
        raise RosterFileError("The file has a header but no attendee rows.")
    return result


# ---- the file as a whole ----------------------------------------------------


def _read(source: Path | str | bytes) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        path = Path(source)
        try:
            if not path.is_file():
                raise RosterFileError("This is a folder, not a file." if path.exists() else "The file does not exist.")
            if path.stat().st_size > MAX_FILE_BYTES:
                raise RosterFileError(_too_big(path.stat().st_size))
            data = path.read_bytes()
        except OSError as exc:
            raise RosterFileError(f"The file cannot be read: {exc.strerror or exc}.") from exc
    if len(data) > MAX_FILE_BYTES:
        raise RosterFileError(_too_big(len(data)))
    return data


def _too_big(size: int) -> str:
    return (
        f"The file is {size / 1024 / 1024:.0f} MB; a roster may be at most "
        f"{MAX_FILE_BYTES // 1024 // 1024} MB. Split it into several files."
    )


def _decode(data: bytes) -> str:
    if not data.strip():
        raise RosterFileError("The file is empty.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RosterFileError("The file is UTF-16 text; save it as \"CSV UTF-8\" and import it again.")
    if data.startswith(b"PK\x03\x04"):
        raise RosterFileError("This is a spreadsheet workbook (.xlsx), not a CSV; save it as \"CSV UTF-8\" first.")
    if b"\x00" in data[:65536]:
        raise RosterFileError("This is a binary file, not a CSV roster.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RosterFileError(
            f"The file is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
            "save it as \"CSV UTF-8\" and import it again."
        ) from exc


def _first_nonblank_line(source: io.StringIO) -> tuple[int, str]:
    for number, line in enumerate(source, start=1):
        if line.strip():
            return number, line
    raise RosterFileError("The file is empty.")


def _header_names(header_text: str, delimiter: str) -> list[str]:
    try:
        cells = next(csv.reader([header_text], delimiter=delimiter))
    except csv.Error as exc:
        raise RosterFileError(f"The header line cannot be read as CSV ({exc}).") from exc
    return [_clean(cell).lower() for cell in cells]


def _read_header(header_text: str, mapping: RosterMapping | None) -> tuple[str, dict[str, int], dict[str, str]]:
    """Pick the delimiter that makes sense of the header; map field -> cell index; the status words."""
    from sync import roster_mapping

    def known(names: list[str]) -> int:  # how many of our fields a split of the header finds
        if mapping is not None:
            return len(mapping.columns(names))
        detected = roster_mapping.detect(names)
        return max(sum(name in REQUIRED_COLUMNS for name in names), len(detected.columns(names)) if detected else 0)

    best: tuple[str, list[str]] | None = None
    for delimiter in DELIMITERS:
        names = _header_names(header_text, delimiter)
        if best is None or known(names) > known(best[1]):
            best = (delimiter, names)
    delimiter, names = best
    if mapping is None and not all(name in names for name in REQUIRED_COLUMNS):
        mapping = roster_mapping.detect(names)
    if mapping is not None:
        columns = mapping.columns(names)
        # Another system's export may have one name field and no e-mail: those cells read as empty.
        missing = [name for name in ("first_name", "ticket_code") if name not in columns]
        if missing:
            raise RosterFileError(
                f"The header lacks a column for {', '.join(missing)} (as read with the {mapping.name} mapping); "
                "name it with --map \"HEADER=field,...\".")
        return delimiter, columns, mapping.statuses
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        if len(missing) == len(REQUIRED_COLUMNS):
            raise RosterFileError(
                "The first line is not a roster header: it needs the columns "
                f"{', '.join(REQUIRED_COLUMNS)} (optional: {', '.join(OPTIONAL_COLUMNS)}), "
                "separated by commas or semicolons."
            )
        raise RosterFileError(
            f"The header lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(required: {', '.join(REQUIRED_COLUMNS)})."
        )
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in REQUIRED_COLUMNS or name in OPTIONAL_COLUMNS:
            if name in columns:
                raise RosterFileError(f"The header has the column {name} twice.")
            columns[name] = index
    return delimiter, columns, {}


# ---- one row ----------------------------------------------------------------


def _clean_text(text: str) -> str:
    """Drop control and format characters from the whole file, tabs and odd spaces becoming spaces; NFC.

    Line breaks stay: they are the CSV's structure. Done once for the file, as
    a translation of its few distinct odd characters, rather than cell by cell.
    """
    odd = {ch for ch in set(text) if not ch.isprintable() and ch not in "\r\n"}
    if odd:
        text = text.translate({
            ord(ch): " " if ch.isspace() else None for ch in odd
            if ch.isspace() or unicodedata.category(ch)[0] == "C"
        })
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def _clean(value: str) -> str:
    """A cell of a cleaned text, its spreadsheet guard taken off (an export's), trimmed, runs of spaces made one."""
    value = value.strip()
    if value.startswith("'"):
        value = from_spreadsheet_safe(value).strip()
    return " ".join(value.split()) if "  " in value or not value.isprintable() else value


def _validate(
    cells: list[str], columns: dict[str, int], width: int, line: int, spans_lines: bool, statuses: dict[str, str]
) -> RosterRow | RowError:
    """The row as a RosterRow, or a RowError listing everything wrong with it."""
    if len(cells) < width:
        cells = cells + [""] * (width - len(cells))
    if spans_lines:
        broken = [name for name, i in columns.items() if "\n" in cells[i] or "\r" in cells[i]]
        if broken:
            return RowError(line, f"{broken[0]} contains a line break (is a quote left open?)")
    first_name = _clean(cells[columns["first_name"]])
    last_name = _clean(cells[columns["last_name"]]) if "last_name" in columns else ""
    email = _clean(cells[columns["email"]]).lower() if "email" in columns else ""
    code = _clean(cells[columns["ticket_code"]])
    optional = columns.get("status")
    status = _clean(cells[optional]).lower() if optional is not None else ""
    status = statuses.get(status, status)
    optional = columns.get("ticket_type")
    ticket_type = _clean(cells[optional]) if optional is not None else ""
    optional = columns.get("plus_ones")
    plus_ones_text = _clean(cells[optional]) if optional is not None else ""

    problems = [
        f"{name} is longer than {MAX_LENGTHS[name]} characters"
        for name, value in (("first_name", first_name), ("last_name", last_name), ("email", email),
                            ("ticket_code", code), ("ticket_type", ticket_type))
        if len(value) > MAX_LENGTHS[name]
    ]
    if problems:
        return RowError(line, "; ".join(problems))

    if not first_name:
        problems.append("missing first name")
    if not code:
        problems.append("missing ticket code")
    elif not CODE_PATTERN.fullmatch(code):
        problems.append(
            f"ticket code {code[:40]!r} is invalid (3 to {limits.MAX_TICKET_CODE_CHARS} letters, digits, _ - : . "
            "starting with a letter or digit)"
        )
    if email and not EMAIL_PATTERN.fullmatch(email):
        problems.append(f"invalid email {email[:60]!r}")
    if not status:
        status = DEFAULT_STATUS
    elif status not in STATUSES:
        problems.append(f"bad status {status[:30]!r} (use {', '.join(STATUSES)})")
    plus_ones = 0
    if plus_ones_text:
        if plus_ones_text.isascii() and plus_ones_text.isdigit() and int(plus_ones_text) <= MAX_PLUS_ONES:
            plus_ones = int(plus_ones_text)
        else:
            problems.append(f"plus_ones {plus_ones_text[:20]!r} is not a whole number from 0 to {MAX_PLUS_ONES}")
    if problems:
        return RowError(line, "; ".join(problems))
    return RosterRow(line, first_name, last_name, email or None, code, status,
                     ticket_type or DEFAULT_TICKET_TYPE, plus_ones)
