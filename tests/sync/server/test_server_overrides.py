"""Forced check-ins (admitted_override, with a reason) on the server: stored, counted, flagged, pulled."""

from __future__ import annotations

from sync import limits, wire
from tests.sync.server.support import checkin

REASON = "Speaker, approved by Jo"


def forced(event_id: str, code: str, reason: str | None = REASON, **kw) -> dict:
    return dict(checkin(event_id, code, result="admitted_override", **kw), reason=reason)


def push(api, event_id, *items, expect=200):
    return api.data("post", f"/events/{event_id}/checkins", {"items": list(items)}, expect=expect)["results"]


def test_an_override_is_stored_with_its_reason_counted_flagged_and_pulled(setup):
    ev, api = setup.event_id, setup.device
    refused = checkin(ev, "ALAN-0003", result="cancelled")
    item = forced(ev, "ALAN-0003")
    verdicts = push(api, ev, refused, item, checkin(ev, "ADA-0001"))
    assert [v["status"] for v in verdicts] == ["accepted"] * 3
    assert verdicts[1]["flag"] == wire.FLAG_ADMITTED_OVERRIDE and verdicts[2]["flag"] == ""

    stats = api.data("get", f"/events/{ev}/stats")
    assert (stats["arrived"], stats["inside"], stats["overrides"], stats["flagged"]) == (2, 2, 1, 1)
    log = api.data("get", f"/events/{ev}/checkins", cursor=0)["items"]
    entry = next(e for e in log if e["id"] == item["id"])
    assert (entry["result"], entry["reason"], entry["flag"]) == ("admitted_override", REASON,
                                                                 wire.FLAG_ADMITTED_OVERRIDE)
    assert next(e for e in log if e["id"] == refused["id"])["reason"] is None

    # A retry is recognised; the same id with another reason is a conflict.
    assert push(api, ev, item)[0]["already_received"]
    assert push(api, ev, dict(item, reason="other"))[0]["reason"]["code"] == "id_conflict"

    # Undone: no longer an arrival nor an override.
    push(api, ev, checkin(ev, "ALAN-0003", kind="undo", undoes=item["id"]))
    stats = api.data("get", f"/events/{ev}/stats")
    assert (stats["arrived"], stats["overrides"]) == (1, 0)


def test_a_reason_is_bounded_and_never_empty(setup):
    ev, api = setup.event_id, setup.device
    at_bound = forced(ev, "EDSGER-0004", "r" * limits.MAX_OVERRIDE_REASON_CHARS)
    assert push(api, ev, at_bound)[0]["status"] == "accepted"
    for reason in ("", "r" * (limits.MAX_OVERRIDE_REASON_CHARS + 1)):
        status, body = api.post(f"/events/{ev}/checkins", {"items": [forced(ev, "ALAN-0003", reason)]})
        assert status == 422, body
    assert api.data("get", f"/events/{ev}/stats")["overrides"] == 1
