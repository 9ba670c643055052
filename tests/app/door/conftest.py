"""The door screen's fixtures: a real DoorScreen on the door roster (tests/app/conftest.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kiosk.app.camera import CameraPipeline
from kiosk.app.door.screen import DoorScreen
from kiosk.scanner.decoders import make_decoder
from kiosk.scanner.sources import ImageFolderSource
from sync.replica.models import Checkin

WAIT_MS = 10_000


def camera_of(paths, *, repeat=1, repeat_filter=None, decoder="zxing"):
    """A camera pipeline reading ``paths`` as frames, through the webcam's own code path."""
    paths = list(paths)
    return CameraPipeline(lambda: ImageFolderSource(paths, fps=30, repeat=repeat), make_decoder(decoder),
                          repeat_filter=repeat_filter)


def checkins_in(replica) -> list[Checkin]:
    with replica.session(write=False) as s:
        return list(s.scalars(select(Checkin).order_by(Checkin.device_time)).all())


@pytest.fixture
def make_door(qtbot, door_services):
    screens = []

    def make(camera=None, size=(1366, 768), **kwargs):
        door = DoorScreen(door_services, camera=camera, **kwargs)
        qtbot.addWidget(door)
        door.resize(*size)
        door.show()
        screens.append(door)
        return door

    yield make
    for door in screens:
        door.shutdown()
