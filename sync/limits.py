"""The bounds of every value a kiosk records and the central server stores, declared once.

A kiosk must refuse (in its settings, command line, forms and roster import) any
value these bounds refuse, and the server must accept every value within them:
then nothing a kiosk records can be rejected by the server, and an admitted scan
always reaches the organizer. The wire schemas, the server's tables and checks,
the roster CSV reader and the replica all take their bounds from here;
tests/sync/test_limits.py checks that they do.

Lengths are in characters (Python ``len``), which is what both SQLite and
PostgreSQL ``VARCHAR(n)`` count.
"""

from __future__ import annotations

# ---- text ------------------------------------------------------------------------

MAX_DOOR_CHARS = 100  # a kiosk's door name, sent with every scan
MAX_OPERATOR_CHARS = 100  # who was at the kiosk, sent with every scan
MAX_NAME_CHARS = 100  # an attendee's (or walk-in's) first or last name
MAX_EMAIL_CHARS = 254
MAX_TICKET_CODE_CHARS = 128  # a ticket code, and the scanned text kept of a refused scan
MAX_TICKET_TYPE_CHARS = 64
MAX_DEVICE_NAME_CHARS = 100  # a kiosk's name (e.g. its host name)
MAX_APP_VERSION_CHARS = 32
MAX_EVENT_NAME_CHARS = 200
MAX_TIMEZONE_CHARS = 64
MAX_REVOCATION_REASON_CHARS = 200
MAX_IDENTIFIER_CHARS = 64  # event, device and signing-key ids
MAX_ATTENDEE_ID_CHARS = 36  # a UUID, or an id derived from one
MAX_UUID_CHARS = 36  # a check-in's client UUID
MAX_RESULT_CHARS = 32  # a scan's result code (admitted, already_checked_in, ...)
MAX_FLAG_CHARS = 64
MAX_OVERRIDE_REASON_CHARS = 200  # why a supervisor let in a guest the door rules refused
# Event, device and key ids: letters and digits, then also _ . : -
IDENTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$"

# ---- numbers ----------------------------------------------------------------------

MAX_PLUS_ONES = 50
MAX_VENUE_CAPACITY = 10_000_000
MIN_ENROLLMENT_TTL_MINUTES = 1
MAX_ENROLLMENT_TTL_MINUTES = 60 * 24 * 14  # two weeks
# A heartbeat's outbox size: the server stores a 32-bit integer; a kiosk reports
# min(its outbox, MAX_OUTBOX_SIZE).
MAX_OUTBOX_SIZE = 2**31 - 1
# Server sequence numbers and the cursors that point at them: 64-bit signed integers.
MAX_SEQ = 2**63 - 1

# ---- an event's free-form settings (JSON) --------------------------------------------

MAX_SETTINGS_BYTES = 64 * 1024  # as compact JSON
MAX_SETTINGS_DEPTH = 8  # objects and arrays inside one another
MAX_SETTINGS_INT = 2**53 - 1  # every JSON reader (JavaScript's too) holds it exactly
