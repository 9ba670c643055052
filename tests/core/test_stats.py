from kiosk.core.stats import replica_stats
from kiosk.core.walkins import register_walkin


def test_headline_figures(roster_replica, desk):
    empty = replica_stats(roster_replica)
    assert (empty["expected"], empty["arrived"], empty["inside"]) == (3, 0, 0)  # cancelled & waitlisted not expected

    desk.scan("ADA-0001")
    desk.scan("GRACE-0002")
    desk.scan("GRACE-0002", "exit")
    desk.scan("ALAN-0003")  # cancelled: refused
    register_walkin(roster_replica, "Walk", "In", desk=desk)
    stats = replica_stats(roster_replica)
    assert stats["event"]["name"] == "Demo Conference"
    assert stats["arrived"] == 3  # Ada, Grace, the walk-in
    assert stats["inside"] == 2
    assert stats["walkins"] == 1
    assert stats["duplicates"] == 0
    assert stats["cancelled"] == 1
    assert stats["per_door"] == {"Door 1": 3}
    assert sum(n for _, n in stats["arrivals_per_5min"]) == 3
    assert stats["waiting_to_sync"] == 6  # 5 scans + 1 walk-in


def test_undone_arrival_is_not_counted(roster_replica, desk):
    desk.scan("ADA-0001")
    desk.undo("ADA-0001")
    assert replica_stats(roster_replica)["arrived"] == 0
