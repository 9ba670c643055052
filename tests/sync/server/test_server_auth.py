"""Enrollment and tokens over real HTTP: one-time codes, device scope, revocation, organizer-only routes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from sync.clock import utcnow
from sync.server.models import DeviceRow, EnrollmentCodeRow, OrganizerTokenRow
from tests.sync.server.support import Api, checkin, walkin


def error_of(reply):
    status, body = reply
    assert body["success"] is False and body["data"] is None and body["meta"]["server_time"]
    return status, body["error"]["code"], body["error"]["message"]


def test_enrollment_code_works_once_and_keeps_the_proposed_device_id(setup):
    code = setup.organizer.data("post", f"/events/{setup.event_id}/enrollment-codes", {"door": "North", "name": "K7"},
                                expect=201)
    assert code["door"] == "North" and code["expires_at"].endswith("Z")
    anonymous = Api(setup.server.url)
    typed = " " + code["code"].lower().replace("-", " ") + " "  # pasted loosely: case, spaces, no dashes
    enrolled = anonymous.data("post", "/devices/enroll", {"code": typed, "device_id": "dev-k7", "name": "host-7"})
    assert enrolled == {"device_id": "dev-k7", "device_token": enrolled["device_token"],
                        "event_id": setup.event_id, "door": "North", "name": "K7"}  # the code's name first
    status, code_name, message = error_of(anonymous.post("/devices/enroll", {"code": code["code"]}))
    assert (status, code_name) == (401, "enrollment_code_invalid") and "already been used" in message
    status, code_name, message = error_of(anonymous.post("/devices/enroll", {"code": "ABCD-EFGH-JKMN"}))
    assert (status, code_name) == (401, "enrollment_code_invalid") and "not known" in message
    with setup.server.db.read() as s:  # only hashes are stored
        stored = s.scalar(select(DeviceRow).where(DeviceRow.id == "dev-k7"))
        assert enrolled["device_token"] not in (stored.token_hash, stored.id)
        assert all(code["code"] not in row.code_hash for row in s.scalars(select(EnrollmentCodeRow)))
        assert all(setup.server.admin_token != row.token_hash for row in s.scalars(select(OrganizerTokenRow)))


def test_a_code_without_a_name_keeps_the_kiosks_name(setup):
    code = setup.organizer.data("post", f"/events/{setup.event_id}/enrollment-codes", {}, expect=201)["code"]
    enrolled = Api(setup.server.url).data("post", "/devices/enroll", {"code": code, "name": "host-8"})
    assert enrolled["name"] == "host-8"
    with setup.server.db.read() as s:
        assert s.scalar(select(DeviceRow.name).where(DeviceRow.id == enrolled["device_id"])) == "host-8"


def test_a_taken_device_id_gets_a_new_one(setup):
    device_id, api = setup.enroll("Door 3", device_id="dev-a")  # dev-a is the setup's device
    assert device_id != "dev-a" and device_id.startswith("dev-")
    assert api.data("post", "/devices/heartbeat", {"device_time": "2026-05-01T09:00:00Z"})["device_id"] == device_id


def test_expired_code_is_refused(setup):
    code = setup.organizer.data("post", f"/events/{setup.event_id}/enrollment-codes", {}, expect=201)["code"]
    setup.server.db.write(lambda s: s.execute(
        update(EnrollmentCodeRow).values(expires_at=utcnow() - timedelta(seconds=1))))
    status, code_name, message = error_of(Api(setup.server.url).post("/devices/enroll", {"code": code}))
    assert (status, code_name) == (401, "enrollment_code_invalid") and "expired" in message


def test_no_token_and_bad_tokens(setup):
    anonymous = Api(setup.server.url)
    status, code, message = error_of(anonymous.get(f"/events/{setup.event_id}"))
    assert (status, code) == (401, "unauthorized") and "bearer token is required" in message
    for token in ("nonsense", "ckd_" + "x" * 43, "cko_" + "y" * 43, "z" * 500):
        assert error_of(Api(setup.server.url, token).get(f"/events/{setup.event_id}"))[:2] == (401, "unauthorized")
    response = anonymous.http.get(f"/events/{setup.event_id}", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"


def test_device_sees_only_its_own_event(setup):
    other = setup.organizer.data("post", "/events", {"name": "Other"}, expect=201)["id"]
    for method, path, body in [
        ("get", f"/events/{other}", None),
        ("get", f"/events/{other}/attendees", None),
        ("get", f"/events/{other}/checkins", None),
        ("get", f"/events/{other}/stats", None),
        ("get", f"/events/{other}/stream", None),
        ("post", f"/events/{other}/checkins", {"items": [checkin(other, "ADA-0001")]}),
        ("post", f"/events/{other}/checkin", checkin(other, "ADA-0001")),
        ("post", f"/events/{other}/rsvp", walkin(other, "Eve", None, "W-EVE-1")),
    ]:
        reply = getattr(setup.device, method)(path, body) if body is not None else getattr(setup.device, method)(path)
        status, code, message = error_of(reply)
        assert (status, code) == (403, "forbidden"), (path, reply)
        assert "another event" in message
    events = setup.device.data("get", "/events")["items"]
    assert [e["id"] for e in events] == [setup.event_id]
    assert {e["id"] for e in setup.organizer.data("get", "/events")["items"]} == {setup.event_id, other}


def test_device_cannot_use_organizer_routes(setup):
    ev = setup.event_id
    for method, path, body in [
        ("post", "/events", {"name": "Mine"}),
        ("post", f"/events/{ev}/enrollment-codes", {}),
        ("post", f"/events/{ev}/revocations", {"ticket_code": "ADA-0001"}),
        ("post", f"/events/{ev}/signing-keys", {}),
        ("delete", "/devices/dev-a", None),
    ]:
        reply = setup.device.delete(path) if method == "delete" else setup.device.post(path, body)
        assert error_of(reply)[:2] == (403, "forbidden"), path
    status, body = setup.device.post(
        f"/events/{ev}/roster", content=b"first_name\n", headers={"Content-Type": "text/csv"}
    )
    assert (status, body["error"]["code"]) == (403, "forbidden")
    status, code, _ = error_of(setup.organizer.post("/devices/heartbeat", {"device_time": "2026-05-01T09:00:00Z"}))
    assert (status, code) == (403, "forbidden")


def test_revoked_device_is_locked_out_at_once(setup):
    assert setup.device.get(f"/events/{setup.event_id}")[0] == 200
    revoked = setup.organizer.data("delete", "/devices/dev-a")
    assert revoked == {"device_id": "dev-a", "revoked": True}
    status, code, message = error_of(setup.device.get(f"/events/{setup.event_id}"))
    assert (status, code) == (401, "unauthorized") and "revoked" in message
    body = {"items": [checkin(setup.event_id, "ADA-0001")]}
    status, code, _ = error_of(setup.device.post(f"/events/{setup.event_id}/checkins", body))
    assert status == 401
    assert error_of(setup.organizer.delete("/devices/dev-nobody"))[:2] == (404, "not_found")
    devices = setup.organizer.data("get", f"/events/{setup.event_id}/stats")["devices"]
    assert [(d["device_id"], d["revoked"], d["online"]) for d in devices] == [("dev-a", True, False)]


def test_unknown_event_and_route(setup):
    assert error_of(setup.organizer.get("/events/evt-nothing"))[:2] == (404, "not_found")
    body = {"items": [checkin("evt-nothing", "ADA-0001")]}
    assert error_of(setup.organizer.post("/events/evt-nothing/checkins", body))[:2] == (404, "not_found")
    assert error_of(setup.organizer.get("/no/such/route"))[:2] == (404, "not_found")
    assert error_of(setup.organizer.http.put(f"/events/{setup.event_id}").status_code and
                    setup.organizer.delete(f"/events/{setup.event_id}"))[:2] == (405, "method_not_allowed")
