"""Controls create actions that resolve after the delay; validation and cancel rules."""

from __future__ import annotations

from typing import Any

import pytest

from enode_emulator import Emulator

from .conftest import BATTERY, CHARGER, HVAC, INVERTER, VEHICLE, Api


async def _action_then_confirm(
    api: Api, emulator: Emulator, path: str, body: Any
) -> dict[str, Any]:
    action = await api.post(path, body)
    assert action["state"] == "PENDING"
    assert action["completedAt"] is None
    await emulator.advance(5)
    return action


async def test_vehicle_start_charging_confirms(api: Api, emulator: Emulator) -> None:
    action = await _action_then_confirm(
        api, emulator, f"/vehicles/{VEHICLE}/charging", {"action": "START"}
    )
    assert action["kind"] == "START"
    assert action["targetType"] == "vehicle"
    assert action["failureReason"] is None
    done = await api.get(f"/vehicles/actions/{action['id']}")
    assert done["state"] == "CONFIRMED"
    assert done["completedAt"] is not None
    vehicle = await api.get(f"/vehicles/{VEHICLE}")
    assert vehicle["chargeState"]["isCharging"] is True
    assert vehicle["chargeState"]["powerDeliveryState"] == "PLUGGED_IN:CHARGING"
    assert vehicle["chargeState"]["chargeRate"] == pytest.approx(11.0)
    names = [e["event"] for e in emulator.events]
    assert "user:vendor-action:updated" in names
    update = next(e for e in emulator.events if e["event"] == "user:vendor-action:updated")
    assert update["vendorAction"]["state"] == "CONFIRMED"
    assert "state" in update["updatedFields"]
    vehicle_updates = [e for e in emulator.events if e["event"] == "user:vehicle:updated"]
    assert "chargeState.isCharging" in vehicle_updates[-1]["updatedFields"]
    # Already charging now: Enode rejects with a human detail.
    status, body, _ = await api.call(
        "POST", f"/vehicles/{VEHICLE}/charging", json={"action": "START"}
    )
    assert status == 400
    assert body["title"] == "Action Rejected"
    assert body["detail"] == "The vehicle is already charging."
    stop = await _action_then_confirm(
        api, emulator, f"/vehicles/{VEHICLE}/charging", {"action": "STOP"}
    )
    assert (await api.get(f"/vehicles/actions/{stop['id']}"))["state"] == "CONFIRMED"
    assert (await api.get(f"/vehicles/{VEHICLE}"))["chargeState"]["isCharging"] is False


async def test_already_stopped_unplugged_and_bad_action(api: Api, emulator: Emulator) -> None:
    status, body, _ = await api.call(
        "POST", f"/chargers/{CHARGER}/charging", json={"action": "STOP"}
    )
    assert (status, body["detail"]) == (400, "The charger is already stopped.")
    status, body, _ = await api.call(
        "POST", f"/chargers/{CHARGER}/charging", json={"action": "PAUSE"}
    )
    assert status == 400
    assert "START or STOP" in body["detail"]
    status, _, _ = await api.call("POST", f"/chargers/{CHARGER}/charging", json={})
    assert status == 400
    emulator.patch_asset(VEHICLE, {"chargeState": {"isPluggedIn": False}})
    status, body, _ = await api.call(
        "POST", f"/vehicles/{VEHICLE}/charging", json={"action": "START"}
    )
    assert (status, body["detail"]) == (400, "The vehicle is not plugged in.")
    emulator.patch_asset(VEHICLE, {"chargeState": {"isPluggedIn": True, "isFullyCharged": True}})
    status, body, _ = await api.call(
        "POST", f"/vehicles/{VEHICLE}/charging", json={"action": "START"}
    )
    assert (status, body["detail"]) == (400, "The vehicle is fully charged.")
    status, _, _ = await api.call("POST", "/vehicles/unknown/charging", json={"action": "START"})
    assert status == 404


async def test_repeated_start_returns_same_action_and_new_one_cancels(
    api: Api, emulator: Emulator
) -> None:
    first = await api.post(f"/chargers/{CHARGER}/charging", {"action": "START"})
    again = await api.post(f"/chargers/{CHARGER}/charging", {"action": "START"})
    assert again["id"] == first["id"]
    current = await api.post(f"/chargers/{CHARGER}/max-current", {"maxCurrent": 10})
    assert current["targetState"] == {"maxCurrent": 10.0}
    old = await api.get(f"/chargers/actions/{first['id']}")
    assert old["state"] == "CANCELLED"
    assert old["failureReason"]["type"] == "CONFLICT"
    await emulator.advance(5)
    charger = await api.get(f"/chargers/{CHARGER}")
    assert charger["chargeState"]["maxCurrent"] == 10.0
    assert charger["chargeState"]["chargeRateLimit"] == pytest.approx(10 * 230 * 3 / 1000, abs=0.01)


async def test_cancel_rules(api: Api, emulator: Emulator) -> None:
    action = await api.post(f"/batteries/{BATTERY}/operation-mode", {"operationMode": "IDLE"})
    assert action["targetState"] == {"operationMode": "IDLE"}
    cancelled = await api.post(f"/batteries/actions/{action['id']}/cancel")
    assert cancelled["state"] == "CANCELLED"
    assert cancelled["failureReason"]["type"] == "REQUESTED_CANCELLATION"
    status, body, _ = await api.call("POST", f"/batteries/actions/{action['id']}/cancel")
    # 2024-10-01: the 409 body is the final Action, not a problem.
    assert status == 409
    assert body == cancelled
    assert (await api.call("POST", "/batteries/actions/nope/cancel"))[0] == 404
    # Action paths are per type: a battery action is not a vehicle action.
    assert (await api.call("GET", f"/vehicles/actions/{action['id']}"))[0] == 404
    await emulator.advance(10)
    assert (await api.get(f"/batteries/{BATTERY}"))["config"]["operationMode"] == "SELF_RELIANCE"


@pytest.mark.parametrize("mode", ["UNKNOWN", "TURBO", None])
async def test_invalid_operation_mode(api: Api, mode: str | None) -> None:
    status, body, _ = await api.call(
        "POST", f"/batteries/{BATTERY}/operation-mode", json={"operationMode": mode}
    )
    assert status == 400
    assert "operationMode" in body["detail"]


async def test_operation_mode_confirms(api: Api, emulator: Emulator) -> None:
    await _action_then_confirm(
        api, emulator, f"/batteries/{BATTERY}/operation-mode", {"operationMode": "IMPORT_FOCUS"}
    )
    battery = await api.get(f"/batteries/{BATTERY}")
    assert battery["config"]["operationMode"] == "IMPORT_FOCUS"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"mode": "HEAT", "heatSetpoint": 35}, "heatSetpoint"),
        ({"mode": "COOL", "coolSetpoint": 5}, "coolSetpoint"),
        ({"mode": "AUTO", "heatSetpoint": 20, "coolSetpoint": 21}, "coolSetpoint - heatSetpoint"),
        ({"mode": "AUTO", "heatSetpoint": 12, "coolSetpoint": 29}, "coolSetpoint - heatSetpoint"),
        ({"mode": "DRY"}, "mode"),
        ({"mode": "HEAT"}, "heatSetpoint"),
        ({"mode": "HEAT", "heatSetpoint": "warm"}, "number"),
    ],
)
async def test_permanent_hold_validation(api: Api, body: dict[str, Any], fragment: str) -> None:
    status, problem, _ = await api.call("POST", f"/hvacs/{HVAC}/permanent-hold", json=body)
    assert status == 400
    assert fragment in problem["detail"]


async def test_permanent_hold_and_follow_schedule(api: Api, emulator: Emulator) -> None:
    action = await _action_then_confirm(
        api,
        emulator,
        f"/hvacs/{HVAC}/permanent-hold",
        {"mode": "AUTO", "heatSetpoint": 19, "coolSetpoint": 24},
    )
    assert action["target"] == {
        "mode": "AUTO",
        "holdType": "PERMANENT",
        "heatSetpoint": 19.0,
        "coolSetpoint": 24.0,
    }
    thermostat = (await api.get(f"/hvacs/{HVAC}"))["thermostatState"]
    assert thermostat == {
        **thermostat,
        "mode": "AUTO",
        "heatSetpoint": 19.0,
        "coolSetpoint": 24.0,
        "holdType": "PERMANENT",
    }
    follow = await _action_then_confirm(api, emulator, f"/hvacs/{HVAC}/follow-schedule", None)
    assert follow["target"] == {"holdType": "SCHEDULED"}
    assert (await api.get(f"/hvacs/actions/{follow['id']}"))["state"] == "CONFIRMED"
    assert (await api.get(f"/hvacs/{HVAC}"))["thermostatState"]["holdType"] == "SCHEDULED"
    off = await _action_then_confirm(
        api, emulator, f"/hvacs/{HVAC}/permanent-hold", {"mode": "OFF"}
    )
    assert off["target"] == {"mode": "OFF", "holdType": "PERMANENT"}


async def test_max_current_and_charge_rate_limit(api: Api, emulator: Emulator) -> None:
    for value in (2, 40):
        status, body, _ = await api.call(
            "POST", f"/chargers/{CHARGER}/max-current", json={"maxCurrent": value}
        )
        assert status == 400
        assert "between" in body["detail"]
    status, _, _ = await api.call(
        "POST", f"/chargers/{CHARGER}/max-current", json={"maxCurrent": True}
    )
    assert status == 400
    status, _, _ = await api.call(
        "POST", f"/chargers/{CHARGER}/charge-rate-limit", json={"chargeRateLimit": 50}
    )
    assert status == 400
    action = await _action_then_confirm(
        api, emulator, f"/chargers/{CHARGER}/charge-rate-limit", {"chargeRateLimit": 6.9}
    )
    assert action["targetState"] == {"chargeRateLimit": 6.9}
    state = (await api.get(f"/chargers/{CHARGER}"))["chargeState"]
    assert state["chargeRateLimit"] == 6.9
    assert state["maxCurrent"] == pytest.approx(10.0)
    vehicle_action = await _action_then_confirm(
        api, emulator, f"/vehicles/{VEHICLE}/max-current", {"maxCurrent": 20}
    )
    assert vehicle_action["targetType"] == "vehicle"
    assert (await api.get(f"/vehicles/{VEHICLE}"))["chargeState"]["maxCurrent"] == 20.0


async def test_charger_smart_override_is_not_a_route_by_default(
    api: Api, emulator: Emulator
) -> None:
    """2024-10-01 documents the vehicle route only: the charger one is 404 until switched on."""
    for method in ("POST", "DELETE"):
        status, body, _ = await api.call(method, f"/chargers/{CHARGER}/smart-override")
        assert status == 404
        assert body["detail"] == f"No route for {method} /chargers/{CHARGER}/smart-override"
    assert emulator.request_log[-1].status == 404
    status, body, _ = await api.call(
        "PUT", "/_emulator/features", json={"chargerSmartOverride": "yes"}
    )
    assert status == 400
    status, body, _ = await api.call(
        "PUT", "/_emulator/features", json={"chargerSmartOverride": True}
    )
    assert (status, body) == (200, {"chargerSmartOverride": True})
    assert (await api.call("POST", f"/chargers/{CHARGER}/smart-override"))[0] == 200


async def test_schedule_controlled_gives_422_and_override(api: Api, emulator: Emulator) -> None:
    # The charger route is 2024-01-01's: opt in (2024-10-01 has vehicles only).
    await api.call("PUT", "/_emulator/features", json={"chargerSmartOverride": True})
    emulator.set_schedule_controlled(CHARGER)
    status, body, _ = await api.call(
        "POST", f"/chargers/{CHARGER}/charging", json={"action": "START"}
    )
    assert status == 422
    assert body["title"] == "Enode Controlled Entity"
    override = await api.post(f"/chargers/{CHARGER}/smart-override")
    assert override["targetType"] == "charger"
    assert override["endedAt"] is None
    assert override["vendorActionId"] is not None
    await emulator.advance(5)
    assert (await api.get(f"/chargers/{CHARGER}"))["chargeState"]["isCharging"] is True
    ended = await api.call("DELETE", f"/chargers/{CHARGER}/smart-override")
    assert ended[0] == 200
    assert ended[1]["endedAt"] is not None
    assert (await api.call("DELETE", f"/chargers/{CHARGER}/smart-override"))[0] == 404
    again = await api.post(f"/chargers/{CHARGER}/smart-override")
    assert again["vendorActionId"] is None  # already charging
    emulator.set_schedule_controlled(CHARGER, False)
    assert (await api.call("POST", f"/chargers/{CHARGER}/charging", json={"action": "STOP"}))[
        0
    ] == 200


@pytest.mark.parametrize(
    ("outcome", "state", "reason"),
    [
        ("fail", "FAILED", "NO_RESPONSE"),
        ("cancel", "CANCELLED", "FAILED_PRECONDITION"),
        (
            {
                "state": "FAILED",
                "failureReason": {"type": "FAILED_PRECONDITION", "detail": "Car asleep"},
            },
            "FAILED",
            "FAILED_PRECONDITION",
        ),
    ],
)
async def test_configured_outcomes(
    api: Api, emulator: Emulator, outcome: Any, state: str, reason: str
) -> None:
    emulator.set_action_outcome(VEHICLE, outcome)
    action = await _action_then_confirm(
        api, emulator, f"/vehicles/{VEHICLE}/charging", {"action": "START"}
    )
    done = await api.get(f"/vehicles/actions/{action['id']}")
    assert done["state"] == state
    assert done["failureReason"]["type"] == reason
    assert (await api.get(f"/vehicles/{VEHICLE}"))["chargeState"]["isCharging"] is False


async def test_random_failures_are_seeded() -> None:
    from enode_emulator.core import Core  # noqa: PLC0415

    from .conftest import make_config  # noqa: PLC0415

    results = []
    for _ in range(2):
        core = Core(make_config(action_failure_rate=0.5))
        battery = core.store.find_asset(BATTERY)
        states = []
        for mode in (
            "IDLE",
            "IMPORT_FOCUS",
            "EXPORT_FOCUS",
            "SELF_RELIANCE",
            "IDLE",
            "TIME_OF_USE",
        ):
            action = core.actions.create(battery, "operationMode", mode)
            await core.advance(5)
            states.append(action.data["state"])
        results.append(states)
        await core.webhooks.close()
    assert results[0] == results[1]
    assert {"CONFIRMED", "FAILED"} <= set(results[0])


async def test_incapable_assets_are_rejected(api: Api, emulator: Emulator) -> None:
    emulator.patch_asset(BATTERY, {"capabilities": {"idle": {"isCapable": False}}})
    status, body, _ = await api.call(
        "POST", f"/batteries/{BATTERY}/operation-mode", json={"operationMode": "IDLE"}
    )
    assert (status, body["title"]) == (400, "Action Rejected")
    emulator.patch_asset(HVAC, {"capabilities": {"setFollowSchedule": {"isCapable": False}}})
    assert (await api.call("POST", f"/hvacs/{HVAC}/follow-schedule"))[0] == 400
    assert (await api.call("POST", f"/inverters/{INVERTER}/charging", json={"action": "START"}))[
        0
    ] == 404


async def test_deleting_asset_cancels_pending_action(api: Api, emulator: Emulator) -> None:
    action = await api.post(f"/batteries/{BATTERY}/operation-mode", {"operationMode": "IDLE"})
    emulator.remove_asset(BATTERY)
    event = [e for e in emulator.events if e["event"] == "user:vendor-action:updated"][-1]
    assert event["vendorAction"]["id"] == action["id"]
    assert event["vendorAction"]["failureReason"]["type"] == "NOT_FOUND"
