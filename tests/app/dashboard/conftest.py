import pytest

from tests.app.staff.support import filled_replica, make_services, stop_services, write_roster


@pytest.fixture
def roster_csv(tmp_path):
    return write_roster(tmp_path / "roster.csv")


@pytest.fixture
def replica(tmp_path, roster_csv):
    replica = filled_replica(tmp_path / "kiosk", roster_csv)
    yield replica
    replica.close()


@pytest.fixture
def services(replica):
    services = make_services(replica)
    yield services
    stop_services(services)
