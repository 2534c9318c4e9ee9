"""Vehicle smart charging: policy validation, plans, the state machine, overrides, webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from enode_emulator import Emulator

from .conftest import CHARGER, VEHICLE, Api, Receiver

SITE = "8d2f7c1e-4b0a-4c1e-9a51-0d3f5b6e7a01"
POLICY = f"/vehicles/{VEHICLE}/smart-charging-policy"
STATUS = f"/vehicles/{VEHICLE}/smart-charging-status"


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def _enable(api: Api, **extra: Any) -> dict[str, Any]:
    body = {"isEnabled": True, "deadline": "07:00", **extra}
    status, data, _ = await api.call("PUT", POLICY, json=body)
    assert status == 200, data
    return dict(data)


async def _internals(api: Api) -> dict[str, Any]:
    return dict(await api.get(f"/_emulator/vehicles/{VEHICLE}/smart-charging"))


async def test_policy_defaults_and_partial_update(api: Api) -> None:
    assert await api.get(POLICY) == {"isEnabled": False, "deadline": None, "minimumChargeLimit": 0}
    status, data, _ = await api.call("PUT", POLICY, json={"deadline": "06:30"})
    assert status == 200
    assert data == {"isEnabled": False, "deadline": "06:30", "minimumChargeLimit": 0}
    vehicle = await api.get(f"/vehicles/{VEHICLE}")
    assert vehicle["smartChargingPolicy"]["deadline"] == "06:30"
    assert (await api.get(STATUS))["state"] == "DISABLED"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"isEnabled": True}, "A deadline is required"),
        ({"isEnabled": True, "deadline": "07:00", "minimumChargeLimit": 90}, "maxChargeLimit <"),
        ({"deadline": "7am"}, '"deadline" must be a string HH:MM'),
        ({"deadline": "25:00"}, "not a valid time"),
        ({"isEnabled": "yes"}, '"isEnabled" must be a boolean'),
        ({"minimumChargeLimit": 120}, "between 0 and 100"),
    ],
)
async def test_policy_validation(api: Api, body: dict[str, Any], detail: str) -> None:
    status, data, headers = await api.call("PUT", POLICY, json=body)
    assert status == 400
    assert headers["Content-Type"].startswith("application/problem+json")
    assert detail in data["detail"]


async def test_policy_no_price_area(api: Api) -> None:
    status, _, _ = await api.call(
        "PUT", f"/_emulator/locations/{SITE}/prices", json={"prices": None}
    )
    assert status == 204
    status, data, _ = await api.call("PUT", POLICY, json={"isEnabled": True, "deadline": "07:00"})
    assert status == 400
    assert "no price area or tariffs" in data["detail"]


async def test_policy_vendor_threshold_other_user_and_capability(
    api: Api, emulator: Emulator
) -> None:
    benz = emulator.add_asset(
        "demo-user", {"type": "vehicle", "vendor": "MERCEDES", "state": {"chargeState": {}}}
    )
    path = f"/vehicles/{benz['id']}/smart-charging-policy"
    body = {"isEnabled": True, "deadline": "07:00", "minimumChargeLimit": 20}
    status, data, _ = await api.call("PUT", path, json=body)
    assert status == 400
    assert "vendor threshold of 50" in data["detail"]
    status, _, _ = await api.call("PUT", path, json={**body, "minimumChargeLimit": 50})
    assert status == 200
    await api.call(
        "PUT", f"/_emulator/vehicles/{VEHICLE}/smart-charging-claimed", json={"claimed": True}
    )
    status, data, _ = await api.call("PUT", POLICY, json={"isEnabled": True, "deadline": "07:00"})
    assert status == 400
    assert "Another user" in data["detail"]
    reader = emulator.add_asset(
        "demo-user", {"type": "vehicle", "vendor": "TESLA", "scopes": ["vehicle:read:data"]}
    )
    status, data, _ = await api.call(
        "PUT",
        f"/vehicles/{reader['id']}/smart-charging-policy",
        json={"isEnabled": True, "deadline": "07:00"},
    )
    assert status == 400
    assert "lacks the scopes or controls" in data["detail"]
    status, _, _ = await api.call("PUT", "/vehicles/nope/smart-charging-policy", json={})
    assert status == 404


async def test_plan_uses_cheapest_slots_before_deadline(api: Api, emulator: Emulator) -> None:
    # 12:00 Oslo; 54 % -> 80 % of 75 kWh at 11 kW = 1.77 h; cheapest: 02:00-04:00 local.
    await _enable(api)
    status = await api.get(STATUS)
    assert status["state"] == "PLAN:EXECUTING:STOPPED"
    assert status["consideration"] == {
        "isPluggedIn": True,
        "isCharging": False,
        "atChargingLocation": True,
        "hasTimeEstimate": True,
    }
    plan = status["plan"]
    assert plan["locationId"] == SITE
    assert plan["currency"] == "NOK"
    assert plan["startAt"] == "2025-06-02T00:00:00.000Z"
    assert plan["estimatedFinishAt"] == "2025-06-02T02:00:00.000Z"
    assert plan["smartCost"] < plan["nonSmartCost"]
    assert plan["finalState"] is None
    assert (await api.get(f"/vehicles/{VEHICLE}/smart-charging-plans/latest")) == plan
    assert (await api.get(f"/vehicles/{VEHICLE}/smart-charging-plans/{plan['id']}"))["id"] == plan[
        "id"
    ]
    slots = (await _internals(api))["slots"]
    assert slots[0]["from"] == "2025-06-02T00:00:00.000Z"
    # A user start while the plan controls the vehicle: 422 Enode Controlled Entity.
    code, body, _ = await api.call(
        "POST", f"/vehicles/{VEHICLE}/charging", json={"action": "START"}
    )
    assert code == 422
    assert body["title"] == "Enode Controlled Entity"
    # Run to the cheap slot: the engine starts charging with an ordinary action.
    await emulator.advance(14 * 3600)  # 00:00 UTC
    await emulator.advance(10)
    await api.authenticate()
    status = await api.get(STATUS)
    assert status["state"] == "PLAN:EXECUTING:STARTED"
    vehicle = await api.get(f"/vehicles/{VEHICLE}")
    assert vehicle["chargeState"]["isCharging"] is True
    actions = [e for e in emulator.events if e["event"] == "user:vendor-action:updated"]
    assert actions[-1]["vendorAction"]["kind"] == "START"
    await emulator.advance(2.5 * 3600)
    await api.authenticate()
    status = await api.get(STATUS)
    assert status["state"] == "PLAN:ENDED:FINISHED"
    assert status["plan"]["finalState"] == "PLAN:ENDED:FINISHED"
    assert status["plan"]["failureCondition"] is None
    assert status["plan"]["startConfirmedAt"] is not None
    vehicle = await api.get(f"/vehicles/{VEHICLE}")
    assert vehicle["chargeState"]["batteryLevel"] == pytest.approx(80)
    # Unplugging after the end goes back to CONSIDERING without a plan.
    await api.post(f"/_emulator/vehicles/{VEHICLE}/unplug")
    status = await api.get(STATUS)
    assert status["state"] == "CONSIDERING"
    assert status["plan"] is None


async def test_minimum_charge_first(api: Api, emulator: Emulator) -> None:
    await _enable(api, minimumChargeLimit=60)
    status = await api.get(STATUS)
    assert status["state"] == "PLAN:EXECUTING:STARTING"
    plan = status["plan"]
    # 6 % of 75 kWh at 11 kW = 24.5 min of protective charging from 10:00 UTC.
    assert _at(plan["stopAt"]) == _at("2025-06-01T10:24:32.727Z")
    await emulator.advance(10)
    assert (await api.get(STATUS))["state"] == "PLAN:EXECUTING:STARTED"
    await emulator.advance(30 * 60)
    status = await api.get(STATUS)
    assert status["state"] in ("PLAN:EXECUTING:STOPPING", "PLAN:EXECUTING:STOPPED")
    await emulator.advance(60)
    assert (await api.get(STATUS))["state"] == "PLAN:EXECUTING:STOPPED"
    level = (await api.get(f"/vehicles/{VEHICLE}"))["chargeState"]["batteryLevel"]
    assert 60 <= level < 62


async def test_unplugged_ends_plan_and_start_failure(api: Api, emulator: Emulator) -> None:
    await _enable(api, minimumChargeLimit=60)
    await api.call("PUT", f"/_emulator/assets/{VEHICLE}/action-outcome", json={"outcome": "fail"})
    await emulator.advance(10)
    status = await api.get(STATUS)
    assert status["state"] == "PLAN:EXECUTING:START_FAILED"
    await api.post(f"/_emulator/vehicles/{VEHICLE}/unplug")
    status = await api.get(STATUS)
    assert status["state"] == "PLAN:ENDED:UNPLUGGED"
    assert status["plan"]["finalState"] == "PLAN:ENDED:UNPLUGGED"
    assert status["consideration"]["isPluggedIn"] is False


async def test_disable_and_deadline_change_end_the_plan(api: Api) -> None:
    await _enable(api)
    first = (await api.get(STATUS))["plan"]["id"]
    await api.call("PUT", POLICY, json={"deadline": "09:00"})
    old = await api.get(f"/vehicles/{VEHICLE}/smart-charging-plans/{first}")
    assert old["finalState"] == "PLAN:ENDED:DEADLINE_CHANGED"
    latest = await api.get(f"/vehicles/{VEHICLE}/smart-charging-plans/latest")
    assert latest["id"] != first
    assert latest["finalState"] is None
    await api.call("PUT", POLICY, json={"isEnabled": False})
    status = await api.get(STATUS)
    assert status["state"] == "DISABLED"
    assert status["plan"] is None
    ended = await api.get(f"/vehicles/{VEHICLE}/smart-charging-plans/{latest['id']}")
    assert ended["finalState"] == "PLAN:ENDED:DISABLED"
    code, body, _ = await api.call("GET", f"/vehicles/{VEHICLE}/smart-charging-plans/unknown")
    assert code == 404
    assert body["title"] == "Entity Not Found"


async def test_latest_plan_404_when_none(api: Api) -> None:
    code, _, _ = await api.call("GET", f"/vehicles/{VEHICLE}/smart-charging-plans/latest")
    assert code == 404


async def test_finishing_late_fails_the_plan(api: Api, emulator: Emulator) -> None:
    # Deadline in 30 min, but the charge needs 1.77 h: the plan finishes late.
    await _enable(api, deadline="12:30")
    await emulator.advance(10)
    await emulator.advance(2 * 3600)
    await api.authenticate()
    status = await api.get(STATUS)
    assert status["state"] == "PLAN:ENDED:FAILED"
    assert status["plan"]["failureCondition"] == "FINISHED_LATE"


async def test_smart_override_on_a_plan(api: Api, emulator: Emulator) -> None:
    await _enable(api)
    override = await api.post(f"/vehicles/{VEHICLE}/smart-override")
    assert override["endedAt"] is None
    assert override["targetType"] == "vehicle"
    assert override["vendorActionId"] is not None
    status = await api.get(STATUS)
    assert status["state"] == "PLAN:EXECUTING:OVERRIDDEN"
    assert status["smartOverride"]["vendorActionId"] == override["vendorActionId"]
    assert "userId" not in status["smartOverride"]
    await emulator.advance(10)
    assert (await api.get(f"/vehicles/{VEHICLE}"))["chargeState"]["isCharging"] is True
    # An override lifts the 422 of user charge commands [?].
    code, _, _ = await api.call("DELETE", f"/vehicles/{VEHICLE}/smart-override")
    assert code == 200
    code, body, _ = await api.call("DELETE", f"/vehicles/{VEHICLE}/smart-override")
    assert code == 404
    assert body["detail"] == "No Smart Override Exists"
    # The plan regains control and stops charging (cheap slots are tonight).
    status = await api.get(STATUS)
    assert status["state"] == "PLAN:EXECUTING:STOPPING"
    assert status["smartOverride"] is None
    await emulator.advance(10)
    assert (await api.get(STATUS))["state"] == "PLAN:EXECUTING:STOPPED"


async def test_override_ends_when_charging_completes(api: Api, emulator: Emulator) -> None:
    # The charger route is 2024-01-01's: opt in (2024-10-01 has vehicles only).
    await api.call("PUT", "/_emulator/features", json={"chargerSmartOverride": True})
    override = await api.post(f"/chargers/{CHARGER}/smart-override")
    assert override["targetType"] == "charger"
    await emulator.advance(10)
    assert (await api.get(f"/chargers/{CHARGER}"))["chargeState"]["isCharging"] is True
    await api.post(f"/chargers/{CHARGER}/charging", {"action": "STOP"})
    await emulator.advance(10)
    code, _, _ = await api.call("DELETE", f"/chargers/{CHARGER}/smart-override")
    assert code == 404
    await api.post(f"/_emulator/vehicles/{VEHICLE}/unplug")
    code, body, _ = await api.call("POST", f"/vehicles/{VEHICLE}/smart-override")
    assert code == 400
    assert "not plugged in" in body["detail"]


async def test_status_events_by_webhook(api: Api, emulator: Emulator, receiver: Receiver) -> None:
    await api.post("/webhooks", {"url": receiver.url, "secret": "s" * 32})
    await _enable(api)
    await emulator.advance(1)
    events = [
        e for e in receiver.events() if e["event"] == "user:vehicle:smart-charging-status-updated"
    ]
    assert events
    last = events[-1]
    assert last["user"]["id"] == "demo-user"
    assert last["smartChargingStatus"]["state"] == "PLAN:EXECUTING:STOPPED"
    assert "state" in last["updatedFields"]
    assert "updatedAt" not in last["updatedFields"]
    headers = receiver.requests[-1][0]
    assert "X-Enode-Signature" in headers or "x-enode-signature" in headers
    count = len(events)
    await emulator.advance(120)  # nothing changed: no new status event
    assert (
        len(
            [
                e
                for e in receiver.events()
                if e["event"] == "user:vehicle:smart-charging-status-updated"
            ]
        )
        == count
    )


async def test_replug_makes_a_new_plan_and_away_is_considering(
    api: Api, emulator: Emulator
) -> None:
    await _enable(api)
    first = (await api.get(STATUS))["plan"]["id"]
    emulator.plug_vehicle(VEHICLE, False)
    assert (await api.get(STATUS))["state"] == "PLAN:ENDED:UNPLUGGED"
    emulator.plug_vehicle(VEHICLE, True)
    status = await api.get(STATUS)
    assert status["state"] == "PLAN:EXECUTING:STOPPED"
    assert status["plan"]["id"] != first
    emulator.plug_vehicle(VEHICLE, False)
    emulator.move_vehicle(VEHICLE, 60.5, 9.1)  # away from every Location
    emulator.plug_vehicle(VEHICLE, True)
    status = await api.get(STATUS)
    assert status["state"] == "CONSIDERING"
    assert status["consideration"]["atChargingLocation"] is False
    emulator.move_vehicle(VEHICLE, 59.9139, 10.7522)
    assert (await api.get(STATUS))["state"] == "PLAN:EXECUTING:STOPPED"


async def test_no_prices_at_location_is_unknown(api: Api, emulator: Emulator) -> None:
    await _enable(api)
    emulator.plug_vehicle(VEHICLE, False)
    emulator.set_prices(SITE, None)
    emulator.plug_vehicle(VEHICLE, True)
    assert (await api.get(STATUS))["state"] == "UNKNOWN"


async def test_vendor_refusing_fails_the_plan_at_the_deadline(api: Api, emulator: Emulator) -> None:
    await api.call("PUT", f"/_emulator/assets/{VEHICLE}/action-outcome", json={"outcome": "fail"})
    await _enable(api, deadline="10:30", minimumChargeLimit=60)  # 10:30 Oslo = 08:30 UTC tomorrow
    await emulator.advance(10)
    assert (await api.get(STATUS))["state"] == "PLAN:EXECUTING:START_FAILED"
    await emulator.advance(5 * 60)  # retried after 5 minutes
    assert (await api.get(STATUS))["state"] == "PLAN:EXECUTING:STARTING"
    await emulator.advance(23 * 3600)
    await api.authenticate()
    status = await api.get(STATUS)
    assert status["state"] == "PLAN:ENDED:FAILED"
    assert status["plan"]["failureCondition"] == "START_FAILED"


async def test_stop_failed_and_charge_interrupted(api: Api, emulator: Emulator) -> None:
    await api.post(f"/vehicles/{VEHICLE}/charging", {"action": "START"})
    await emulator.advance(10)
    await api.call("PUT", f"/_emulator/assets/{VEHICLE}/action-outcome", json={"outcome": "fail"})
    await _enable(api)
    assert (await api.get(STATUS))["state"] == "PLAN:EXECUTING:STOPPING"
    await emulator.advance(10)
    assert (await api.get(STATUS))["state"] == "PLAN:EXECUTING:STOP_FAILED"
    await api.call("PUT", f"/_emulator/assets/{VEHICLE}/action-outcome", json={"outcome": None})
    await api.call("PUT", POLICY, json={"isEnabled": False})
    await _enable(api, minimumChargeLimit=70)
    assert (await api.get(STATUS))["state"] == "PLAN:EXECUTING:STARTED"
    # Charging stops at the car although the plan wants it.
    emulator.patch_asset(VEHICLE, {"chargeState": {"isCharging": False}})
    await emulator.advance(60)
    assert (await api.get(STATUS))["state"] == "PLAN:EXECUTING:CHARGE_INTERRUPTED"
    await emulator.advance(5 * 60)
    assert (await api.get(STATUS))["state"] in (
        "PLAN:EXECUTING:STARTING",
        "PLAN:EXECUTING:STARTED",
    )
