"""kiosk.doctor.camera against real frame sources (image folders, video files, /dev/video)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kiosk.doctor import camera
from kiosk.doctor.report import FAIL, OK, WARN
from tests.doctor.conftest import qr_png


def test_camera_image_folder(tmp_path):
    qr_png(tmp_path / "frames" / "001.png")
    check = camera.check_camera(str(tmp_path / "frames"))
    assert check.status == OK and "290x290" in check.message


def test_camera_empty_folder_and_missing_path(tmp_path):
    (tmp_path / "empty").mkdir()
    assert camera.check_camera(str(tmp_path / "empty")).status == FAIL
    missing = camera.check_camera(str(tmp_path / "nowhere"))
    assert missing.status == FAIL and "does not exist" in missing.message


def test_camera_video_file(tmp_path):
    import cv2
    import numpy as np

    path = tmp_path / "door.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (320, 240))
    for shade in range(5):
        writer.write(np.full((240, 320, 3), shade * 40, dtype=np.uint8))
    writer.release()
    check = camera.check_camera(str(path))
    assert check.status == OK and "320x240" in check.message


def test_camera_file_that_is_not_a_video(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("this is not a video")
    assert camera.check_camera(str(path)).status == FAIL


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/dev/video is Linux")
def test_camera_index_without_any_camera_is_plain_words():
    if list(Path("/dev").glob("video*")):
        pytest.skip("this machine has a camera")
    check = camera.check_camera(0)
    assert check.status == WARN
    assert "no camera is connected" in check.message and "hand scanner" in check.message
