"""`kiosk doctor`: is this machine ready for the event? Plain words and how to fix each problem.

Each check returns a :class:`Check` (ok / warn / fail, a message, a fix). Checks never
raise: a check that breaks is itself reported as a failure. Nothing here writes to
the replica, the keyring or the camera's settings; the replica is opened read-only,
so the doctor can run beside a running kiosk.

One module per area: ``folders`` (settings, PIN, folders), ``camera``, ``decoders``,
``credentials`` (the keyring), ``replica``, ``server`` (health and enrollment),
``display``; ``report`` holds :class:`Check` and the report, ``run`` runs them all.
"""

from kiosk.doctor.camera import CAMERA_TIMEOUT_SECONDS, check_camera
from kiosk.doctor.credentials import check_keyring
from kiosk.doctor.decoders import SAMPLE_CODE, check_decoder
from kiosk.doctor.display import check_display
from kiosk.doctor.folders import check_folder, check_settings
from kiosk.doctor.replica import check_replica, enrolled_state
from kiosk.doctor.report import FAIL, OK, WARN, Check, exit_status, format_report
from kiosk.doctor.run import run_checks
from kiosk.doctor.server import HEALTH_PATHS, SERVER_TIMEOUT_SECONDS, check_enrollment, check_server

__all__ = [
    "CAMERA_TIMEOUT_SECONDS", "FAIL", "HEALTH_PATHS", "OK", "SAMPLE_CODE", "SERVER_TIMEOUT_SECONDS", "WARN",
    "Check", "check_camera", "check_decoder", "check_display", "check_enrollment", "check_folder",
    "check_keyring", "check_replica", "check_server", "check_settings", "enrolled_state", "exit_status",
    "format_report", "run_checks",
]
