"""Eve and Evelyn: two people sharing one e-mail, registered as walk-ins at two offline kiosks.

The server merges a walk-in into an attendee only when the e-mail AND the name match,
so after the Wi-Fi returns both are in arrived and inside, on the server and on every
kiosk; the same person registered at both doors is still merged into one.
"""

from __future__ import annotations

from sqlalchemy import select

from kiosk.core.results import Result
from kiosk.core.stats import replica_stats
from kiosk.core.walkins import register_walkin
from sync.replica.models import Attendee
from sync.status import OFFLINE
from tests.e2e.harness import LiveServer, enroll_kiosk

ROSTER = [{"first_name": "Ada", "last_name": "Lovelace", "email": "family@example.org", "ticket_code": "TK-ADA"}]


def test_two_people_sharing_an_email_stay_two_after_sync(tmp_path):
    server = LiveServer(tmp_path / "server.sqlite3").start()
    event_id = server.create_event(ROSTER)
    k1, k2 = (enroll_kiosk(server, event_id, tmp_path / f"kiosk{n}", str(n)) for n in (1, 2))
    try:
        server.stop()  # the Wi-Fi dies
        assert not k1.engine.sync_once().ok and k1.engine.state == OFFLINE
        eve = register_walkin(k1.replica, "Eve", "Example", "family@example.org", desk=k1.desk)
        evelyn = register_walkin(k2.replica, "Evelyn", "Example", "FAMILY@example.org", desk=k2.desk)
        # Eve registered again at the other door, which cannot know her yet: the same person, merged.
        eve_again = register_walkin(k2.replica, "ÈVE", "example", "family@example.org", desk=k2.desk)
        for outcome in (eve, evelyn, eve_again):
            assert outcome.created and outcome.decision.result == Result.ADMITTED

        server.start()  # the Wi-Fi returns
        for _ in range(2):
            for kiosk in (k1, k2):
                report = kiosk.engine.sync_once()
                assert report.ok, report.error

        stats = server.stats(event_id)
        assert (stats.expected, stats.arrived, stats.inside, stats.walk_ins, stats.duplicates) == (1, 2, 2, 2, 1)
        for kiosk in (k1, k2):
            figures = replica_stats(kiosk.replica)
            assert figures["waiting_to_sync"] == 0
            assert (figures["expected"], figures["arrived"], figures["inside"], figures["walkins"],
                    figures["duplicates"]) == (1, 2, 2, 2, 1)
            with kiosk.replica.session(write=False) as s:
                people = {(a.first_name, a.merged_into_id is None)
                          for a in s.scalars(select(Attendee).where(Attendee.email == "family@example.org"))}
            assert people == {("Ada", True), ("Eve", True), ("Evelyn", True), ("ÈVE", False)}, kiosk.name
    finally:
        k1.close()
        k2.close()
        server.stop()
