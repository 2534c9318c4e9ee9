"""The /_emulator/ admin API: faults, tokens, credentials, assets, outcomes, logs, reset."""

from __future__ import annotations

import json
from pathlib import Path
import time

import pytest

from enode_emulator import Emulator, EmulatorConfig
from enode_emulator.scenario import ScenarioError, read_scenario

from .conftest import BATTERY, CHARGER, USER, VEHICLE, Api, Receiver, make_config


async def test_fail_next_requests(api: Api) -> None:
    status, rule, _ = await api.call(
        "POST", "/_emulator/faults", json={"path": "/vehicles*", "status": 503, "count": 2}
    )
    assert status == 200
    assert rule["count"] == 2
    assert (await api.get("/_emulator/faults"))[0]["id"] == rule["id"]
    for _ in range(2):
        status, body, _ = await api.call("GET", "/vehicles")
        assert status == 503
        assert body["title"] == "Service Unavailable"
    assert (await api.call("GET", "/vehicles"))[0] == 200
    assert await api.get("/_emulator/faults") == []


async def test_429_retry_after_and_method_filter(api: Api, emulator: Emulator) -> None:
    emulator.add_fault(path="/chargers/*", method="post", status=429, retryAfter=7, count=1)
    assert (await api.call("GET", f"/chargers/{CHARGER}"))[0] == 200
    status, _, headers = await api.call("POST", f"/chargers/{CHARGER}/refresh-hint")
    assert status == 429
    assert headers["Retry-After"] == "7"


async def test_fraction_latency_and_clear(api: Api) -> None:
    await api.post("/_emulator/faults", {"path": "/users*", "status": 500, "fraction": 0.5})
    statuses = [(await api.call("GET", "/users"))[0] for _ in range(20)]
    assert set(statuses) == {200, 500}
    assert (await api.call("DELETE", "/_emulator/faults"))[0] == 204
    await api.post("/_emulator/faults", {"path": "/health/ready", "latency": 0.2, "count": 1})
    started = time.monotonic()
    assert (await api.call("GET", "/health/ready"))[0] == 204
    assert time.monotonic() - started >= 0.2


@pytest.mark.parametrize(
    "body",
    [
        {"path": "/x"},
        {"path": "/x", "status": 418},
        {"path": "/x", "status": 500, "fraction": 2},
        [1],
    ],
)
async def test_fault_validation(api: Api, body: object) -> None:
    assert (await api.call("POST", "/_emulator/faults", json=body))[0] == 400


async def test_expire_tokens(api: Api) -> None:
    result = await api.post("/_emulator/tokens/expire")
    assert result["expired"] == 1
    assert (await api.call("GET", "/vehicles"))[0] == 401


async def test_invalidate_credentials_over_http(api: Api) -> None:
    assert (await api.call("POST", f"/_emulator/users/{USER}/vendors/TESLA/invalidate"))[0] == 204
    user = await api.get(f"/users/{USER}")
    assert [v["isValid"] for v in user["linkedVendors"] if v["vendor"] == "TESLA"] == [False]
    assert (await api.call("POST", f"/_emulator/users/{USER}/vendors/NOPE/invalidate"))[0] == 404
    assert (await api.call("POST", "/_emulator/users/ghost/vendors/TESLA/invalidate"))[0] == 404


async def test_add_patch_remove_assets(api: Api, emulator: Emulator) -> None:
    asset = await api.post(
        f"/_emulator/users/{USER}/assets",
        {"type": "battery", "vendor": "HUAWEI", "state": {"chargeState": {"batteryLevel": 12}}},
    )
    assert asset["chargeState"]["batteryLevel"] == 12
    assert asset["hemSystemId"] is not None
    assert (await api.get(f"/batteries/{asset['id']}"))["id"] == asset["id"]
    status, patched, _ = await api.call(
        "PATCH", f"/_emulator/assets/{asset['id']}", json={"isReachable": False}
    )
    assert status == 200
    assert patched["isReachable"] is False
    update = [e for e in emulator.events if e["event"] == "user:battery:updated"][-1]
    assert "isReachable" in update["updatedFields"]
    assert (await api.call("DELETE", f"/_emulator/assets/{asset['id']}"))[0] == 204
    assert any(e["event"] == "user:battery:deleted" for e in emulator.events)
    assert (await api.call("DELETE", f"/_emulator/assets/{asset['id']}"))[0] == 404
    assert (await api.call("POST", f"/_emulator/users/{USER}/assets", json={"type": "boat"}))[
        0
    ] == 400
    assert (await api.call("PATCH", f"/_emulator/assets/{VEHICLE}", json=[1]))[0] == 400


async def test_outcome_and_schedule_flags_over_http(api: Api, emulator: Emulator) -> None:
    status, _, _ = await api.call(
        "PUT", f"/_emulator/assets/{BATTERY}/action-outcome", json={"outcome": "fail"}
    )
    assert status == 204
    action = await api.post(f"/batteries/{BATTERY}/operation-mode", {"operationMode": "IDLE"})
    await api.post("/_emulator/clock/advance", {"seconds": 5})
    assert (await api.get(f"/batteries/actions/{action['id']}"))["state"] == "FAILED"
    assert (
        await api.call("PUT", f"/_emulator/assets/{BATTERY}/action-outcome", json={"outcome": None})
    )[0] == 204
    assert (
        await api.call(
            "PUT", f"/_emulator/assets/{BATTERY}/action-outcome", json={"outcome": "maybe"}
        )
    )[0] == 400
    assert (
        await api.call(
            "PUT", f"/_emulator/assets/{BATTERY}/schedule-controlled", json={"controlled": True}
        )
    )[0] == 204
    assert (
        await api.call(
            "POST", f"/batteries/{BATTERY}/operation-mode", json={"operationMode": "IDLE"}
        )
    )[0] == 422


async def test_clock_logs_state_and_reset(api: Api, emulator: Emulator, receiver: Receiver) -> None:
    before = (await api.get("/_emulator/clock"))["time"]
    after = await api.post("/_emulator/clock/advance", {"seconds": 60})
    assert after["time"] > before
    assert (await api.call("POST", "/_emulator/clock/advance", json={"seconds": -1}))[0] == 400
    await api.post("/webhooks", {"url": receiver.url, "secret": "secret-123"})
    assert (await api.call("POST", "/_emulator/webhook-faults", json={"mode": "drop"}))[0] == 204
    assert (await api.call("POST", "/_emulator/webhook-faults", json={"mode": "explode"}))[0] == 400
    assert (await api.call("POST", "/_emulator/webhook-faults", json={"mode": "drop", "count": 0}))[
        0
    ] == 400
    await api.post("/_emulator/clock/advance", {"seconds": 60})
    deliveries = await api.get("/_emulator/deliveries")
    assert deliveries[0]["outcome"] == "dropped"
    log = await api.get("/_emulator/requests")
    assert any(
        e["method"] == "POST" and e["path"] == "/webhooks" and e["status"] == 200 for e in log
    )
    state = await api.get("/_emulator/state")
    assert USER in state["users"]
    assert len(state["assets"]) == 7
    events = await api.get("/_emulator/events")
    assert events
    await api.post(f"/_emulator/users/{USER}/assets", {"type": "meter", "vendor": "EASTRON"})
    assert (await api.call("POST", "/_emulator/reset"))[0] == 204
    assert len((await api.get("/_emulator/state"))["assets"]) == 7
    assert (await api.get("/webhooks"))["data"] == []
    await emulator.reset()
    assert emulator.core.request_log == []


def test_scenario_files(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps(
            {
                "users": [
                    {
                        "id": "u",
                        "assets": [
                            {
                                "type": "hvac",
                                "vendor": "NIBE",
                                "scheduleControlled": True,
                                "actionOutcome": "cancel",
                            }
                        ],
                    }
                ]
            }
        )
    )
    assert read_scenario(path)["users"][0]["id"] == "u"
    (tmp_path / "bad.json").write_text("[]")
    with pytest.raises(ScenarioError):
        read_scenario(tmp_path / "bad.json")
    with pytest.raises(ScenarioError):
        read_scenario(tmp_path / "missing.json")


async def test_scenario_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps(
            {
                "users": [
                    {
                        "id": "u",
                        "site": {"timezone": "Europe/Berlin"},
                        "assets": [
                            {
                                "type": "hvac",
                                "vendor": "NIBE",
                                "scheduleControlled": True,
                                "actionOutcome": "cancel",
                            }
                        ],
                    }
                ]
            }
        )
    )
    emu = Emulator(make_config(scenario=str(path)))
    hvac = emu.core.store.assets_of("hvac")[0]
    assert hvac.schedule_controlled
    assert hvac.outcome is not None
    assert hvac.outcome.state == "CANCELLED"
    assert emu.core.store.sites[hvac.site_id].timezone == "Europe/Berlin"
    assert emu.client_id == EmulatorConfig().client_id
    await emu.core.webhooks.close()
