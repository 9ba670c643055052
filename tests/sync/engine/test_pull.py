"""The pull stages against the real reference server: pages, cursors, progress, revocations, keys."""

from __future__ import annotations

from sqlalchemy import func, select

from kiosk.core.results import Result
from kiosk.core.walkins import register_walkin
from sync import wire
from sync.replica.models import Attendee, RevokedTicket, SigningKey
from sync.status import K_ROSTER_CURSOR
from tests.e2e.harness import enroll_kiosk
from tests.sync.engine.support import ROSTER


def test_download_in_pages_with_progress_then_nothing_new(server, event_id, tmp_path):
    k = enroll_kiosk(server, event_id, tmp_path / "k", "P", download=False, page_size=7)
    progress = []
    report = k.engine.download(lambda phase, done, total: progress.append((phase, done, total)))
    assert report.ok and report.roster_changes == len(ROSTER)
    roster_steps = [p for p in progress if p[0] == "roster"]
    assert len(roster_steps) == 4  # 25 changes, 7 per page
    assert roster_steps[-1][1] == roster_steps[-1][2] > 0
    assert [d for _, d, _ in roster_steps] == sorted(d for _, d, _ in roster_steps)
    with k.replica.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Attendee)) == len(ROSTER)
        assert s.scalar(select(func.count()).select_from(SigningKey).where(SigningKey.active.is_(True))) >= 1
    assert int(k.replica.get_state(K_ROSTER_CURSOR)) > 0
    again = k.engine.download()
    assert again.ok and again.roster_changes == 0 and again.checkins_pulled == 0
    k.close()


def test_revocations_and_key_rotation_reach_the_kiosk(server, event_id, kiosk):
    with server.organizer() as http:
        response = http.post(f"/events/{event_id}/revocations", json={"ticket_code": "EN-0005", "reason": "stolen"})
        assert response.status_code == 200, response.text
        old_keys = {k.key_id for k in kiosk.engine.backend().event(event_id).signing_keys}
        response = http.post(f"/events/{event_id}/signing-keys", json={"retire_others": True})
        assert response.status_code == 200, response.text
    assert kiosk.engine.sync_once().ok
    with kiosk.replica.session(write=False) as s:
        assert s.get(RevokedTicket, (event_id, "EN-0005")).reason == "stolen"
        keys = {k.key_id: k.active for k in s.scalars(select(SigningKey))}
    assert all(not keys[k] for k in old_keys) and any(keys.values())
    assert kiosk.desk.scan("EN-0005").result == Result.REVOKED
    with server.organizer() as http:
        http.post(f"/events/{event_id}/revocations", json={"ticket_code": "EN-0005", "revoked": False})
    assert kiosk.engine.sync_once().ok
    assert kiosk.desk.scan("EN-0005").result == Result.ADMITTED


def test_a_ticket_signed_after_the_download_is_admitted_offline(server, event_id, kiosk):
    server.import_roster(event_id, ROSTER + [{"first_name": "Late", "last_name": "Comer",
                                              "email": "late@example.org", "ticket_code": "EN-LATE"}])
    with server.organizer() as http:
        page = http.get(f"/events/{event_id}/attendees", params={"cursor": 0, "limit": 5000, "with_tickets": True})
        data, _ = wire.unwrap(page.json(), wire.RosterPage)
    signed = next(c.signed_ticket for c in data.items if getattr(c, "ticket_code", "") == "EN-LATE")
    assert signed and signed.startswith("CK1.")
    server.stop()  # the kiosk never saw this attendee, and cannot ask
    decision = kiosk.desk.scan(signed)
    assert decision.result == Result.ADMITTED, decision.reason
    server.start()
    assert kiosk.engine.sync_once().ok
    (entry,) = server.checkin_log(event_id)
    assert entry.id == decision.checkin_id and entry.flag == ""


def test_a_local_walkin_whose_code_the_server_gave_to_someone_else_keeps_its_scans(server, event_id, kiosk):
    walkin = register_walkin(kiosk.replica, "Local", "Walkin", desk=kiosk.desk)
    code = walkin.attendee.ticket_code
    server.import_roster(event_id, ROSTER + [{"first_name": "Other", "last_name": "Person",
                                              "email": "other@example.org", "ticket_code": code}])
    report = kiosk.engine.download()  # pulls before the walk-in is pushed: the codes clash locally
    assert report.ok, report.error
    with kiosk.replica.session(write=False) as s:
        rsvp = s.scalar(select(Attendee).where(Attendee.ticket_code == code))
        local = s.get(Attendee, walkin.attendee.id)
        assert rsvp.first_name == "Other" and local.ticket_code != code and local.inside
    report = kiosk.engine.sync_once()
    assert report.ok and report.walkins_pushed == 1 and report.checkins_pushed == 1
    with server.organizer() as http:
        page = http.get(f"/events/{event_id}/attendees", params={"cursor": 0, "limit": 5000})
        roster, _ = wire.unwrap(page.json(), wire.RosterPage)
    on_server = next(c for c in roster.items if getattr(c, "id", None) == walkin.attendee.id)
    assert on_server.ticket_code != code  # the server gave the walk-in a code of its own
    with kiosk.replica.session(write=False) as s:
        assert s.get(Attendee, walkin.attendee.id).ticket_code == on_server.ticket_code
    stats = server.stats(event_id)
    assert stats.walk_ins == 1 and stats.arrived == 1
