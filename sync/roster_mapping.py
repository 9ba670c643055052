"""Which header of a roster file holds which of our fields: a mapping, or a preset.

A roster exported by a ticketing system has its own headers. ``--map "Barcode #=ticket_code,
First Name=first_name"`` names them by hand; a preset knows a system's documented export
(pretix's order-position and check-in list CSV, Eventbrite's attendee report) and is
detected from the header when the file does not have our own column names. Headers
compare without case; a field takes the first of its candidate headers the file has.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sync.roster_csv import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, RosterFileError

FIELDS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS


@dataclass(frozen=True)
class RosterMapping:
    name: str
    # field -> the headers (lower-cased) that may hold it, the first one present wins
    headers: dict[str, tuple[str, ...]]
    # a status column's words (lower-cased) -> our status
    statuses: dict[str, str] = field(default_factory=dict)
    # headers whose presence says a file is this system's export
    signature: tuple[str, ...] = ()

    def columns(self, names: list[str]) -> dict[str, int]:
        """Our field -> the cell index holding it, for a header of these (lower-cased) names."""
        found: dict[str, int] = {}
        for name, candidates in self.headers.items():
            for candidate in candidates:
                if candidate in names:
                    found[name] = names.index(candidate)
                    break
        return found


PRETIX = RosterMapping(
    "pretix",
    headers={
        "first_name": ("attendee name: given name", "attendee name: first name", "attendee name"),
        "last_name": ("attendee name: family name", "attendee name: last name"),
        "email": ("attendee email", "e-mail", "email"),
        "ticket_code": ("secret",),
        "ticket_type": ("product",),
        "status": ("status",),
    },
    statuses={"paid": "confirmed", "pending": "confirmed", "canceled": "cancelled", "cancelled": "cancelled",
              "expired": "cancelled"},
    signature=("order code", "attendee name"),
)
EVENTBRITE = RosterMapping(
    "eventbrite",
    headers={
        "first_name": ("first name",),
        "last_name": ("last name",),
        "email": ("email",),
        "ticket_code": ("barcode #",),
        "ticket_type": ("ticket type",),
        "status": ("attendee status",),
    },
    statuses={"attending": "confirmed", "checked in": "confirmed", "not attending": "cancelled",
              "deleted": "cancelled", "refunded": "cancelled", "cancelled": "cancelled", "canceled": "cancelled"},
    signature=("barcode #", "first name", "last name"),
)
PRESETS = {preset.name: preset for preset in (PRETIX, EVENTBRITE)}


def parse_map(text: str) -> RosterMapping:
    """``"Barcode #=ticket_code,First Name=first_name"`` as a mapping; RosterFileError when malformed."""
    headers: dict[str, tuple[str, ...]] = {}
    for pair in filter(str.strip, text.split(",")):
        header, sep, target = pair.rpartition("=")
        header, target = header.strip().lower(), target.strip().lower()
        if not sep or not header:
            raise RosterFileError(f"The mapping {pair.strip()!r} is not HEADER=field.")
        if target not in FIELDS:
            raise RosterFileError(f"The mapping {pair.strip()!r} names no field: use one of {', '.join(FIELDS)}.")
        if target in headers:
            raise RosterFileError(f"The mapping names two headers for {target}.")
        headers[target] = (header,)
    if not headers:
        raise RosterFileError("The mapping is empty: give HEADER=field pairs separated by commas.")
    # A field the mapping does not name is read from its own column, when the file has one.
    for name in FIELDS:
        headers.setdefault(name, (name,))
    return RosterMapping("map", headers)


def preset(name: str) -> RosterMapping:
    try:
        return PRESETS[name]
    except KeyError:
        raise RosterFileError(f"There is no preset {name!r}: use {' or '.join(PRESETS)}.") from None


def detect(names: list[str]) -> RosterMapping | None:
    """The preset whose export has this header, if any."""
    return next((p for p in PRESETS.values() if all(s in names for s in p.signature)), None)
