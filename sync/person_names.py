"""When two names are one person's: compared without accents, case or extra spaces.

Used where an e-mail alone must not make two people one (a family booking, a shared
office address): a walk-in is the attendee already holding its e-mail only when the
names match too, on the kiosk (which offers that attendee) and on the server (which
merges the walk-in into it).
"""

from __future__ import annotations

import unicodedata


def folded_name(first: str | None, last: str | None) -> str:
    """A person's name as compared: no accents, no case, single spaces ("ZOË  van Dijk" → "zoe van dijk")."""
    text = unicodedata.normalize("NFKD", f"{first or ''} {last or ''}")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


def same_person(first: str | None, last: str | None, other_first: str | None, other_last: str | None) -> bool:
    return folded_name(first, last) == folded_name(other_first, other_last)
