"""Schedules (SMART.md 5): CRUD, validation, execution on the clock, 422s, statuses, events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from enode_emulator import Emulator

from .conftest import CHARGER, HVAC, USER, VEHICLE, Api, Receiver

SITE = "8d2f7c1e-4b0a-4c1e-9a51-0d3f5b6e7a01"
# The emulator starts at 2025-06-01 10:00 UTC: a Sunday (weekday 6), 12:00 in Oslo.


def charger_schedule(**extra: Any) -> dict[str, Any]:
    """Charge 12:30-12:50 Oslo time on Sundays, never otherwise."""
    body: dict[str, Any] = {
        "targetType": "charger",
        "targetId": CHARGER,
        "locationId": None,
        "isEnabled": True,
        "defaultShouldCharge": False,
        "rules": [
            {"shouldCharge": True, "hourMinute": {"from": "12:30", "to": "12:50"}, "weekdays": [6]}
        ],
    }
    body.update(extra)
    return body


async def _create(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    status, data, _ = await api.call("POST", f"/users/{USER}/schedules", json=body)
    assert status == 200, data
    return dict(data)


async def _charging(api: Api) -> bool:
    return bool((await api.get(f"/chargers/{CHARGER}"))["chargeState"]["isCharging"])


async def test_crud(api: Api) -> None:
    assert (await api.get(f"/users/{USER}/schedules"))["data"] == []
    created = await _create(api, charger_schedule())
    assert created["id"]
    assert created["rules"][0]["hourMinute"] == {"from": "12:30", "to": "12:50"}
    listed = await api.get(f"/users/{USER}/schedules")
    assert [s["id"] for s in listed["data"]] == [created["id"]]
    assert set(listed["pagination"]) == {"before", "after"}
    path = f"/schedules/{created['id']}"
    assert await api.get(path) == created
    status, updated, _ = await api.call("PUT", path, json={"isEnabled": False})
    assert status == 200
    assert updated == {**created, "isEnabled": False}
    status, _, _ = await api.call("DELETE", path)
    assert status == 204
    status, problem, _ = await api.call("GET", path)
    assert status == 404
    assert problem["title"] == "Entity Not Found"
    status, _, _ = await api.call("DELETE", path)
    assert status == 404


@pytest.mark.parametrize(
    ("change", "status", "detail"),
    [
        ({"targetType": "battery"}, 400, '"targetType" must be one of'),
        ({"targetId": "nope"}, 404, "charger nope not found"),
        ({"targetType": "vehicle"}, 404, f"vehicle {CHARGER} not found"),
        ({"defaultShouldCharge": "no"}, 400, '"defaultShouldCharge" must be a boolean'),
        ({"rules": {}}, 400, '"rules" must be a list'),
        ({"rules": [{"hourMinute": {"from": "01:00", "to": "02:00"}}]}, 400, "is required"),
        (
            {"rules": [{"shouldCharge": True, "hourMinute": {"from": "25:00", "to": "02:00"}}]},
            400,
            "not a valid time of day",
        ),
        (
            {"rules": [{"shouldCharge": True, "hourMinute": {"from": "1am", "to": "02:00"}}]},
            400,
            "must be a string HH:MM",
        ),
        ({"rules": [{"shouldCharge": True, "weekdays": [7]}]}, 400, "integers 0-6"),
        ({"rules": [{"shouldCharge": True, "days": [1]}]}, 400, "unknown keys"),
        (
            {
                "rules": [
                    {
                        "shouldCharge": True,
                        "fromTimestamp": "2025-06-02T00:00:00Z",
                        "toTimestamp": "2025-06-01T00:00:00Z",
                    }
                ]
            },
            400,
            "must be after",
        ),
        ({"locationId": "00000000-0000-0000-0000-000000000000"}, 404, "Location"),
        ({"rules": [{"shouldCharge": True, "hourMinute": "01:00-02:00"}]}, 400, '"from" and "to"'),
        ({"rules": [{"shouldCharge": True, "fromTimestamp": 5}]}, 400, "date-time string"),
        ({"rules": [{"shouldCharge": True, "toTimestamp": "soon"}]}, 400, "not a valid date-time"),
        (
            {"rules": [{"shouldCharge": True, "toTimestamp": "2025-06-01T00:00:00"}]},
            400,
            "time zone",
        ),
        ({"rules": ["charge"]}, 400, "must be an object"),
        ({"isEnabled": "yes"}, 400, '"isEnabled" must be a boolean'),
        ({"targetId": ""}, 400, '"targetId" must be a non-empty string'),
        ({"defaultTargetState": {"holdType": "SCHEDULED"}}, 400, "Keys not allowed"),
    ],
)
async def test_validation(api: Api, change: dict[str, Any], status: int, detail: str) -> None:
    got, data, headers = await api.call(
        "POST", f"/users/{USER}/schedules", json=charger_schedule(**change)
    )
    assert got == status, data
    assert headers["Content-Type"].startswith("application/problem+json")
    assert detail in data["detail"]


async def test_validation_of_users_and_temperature_targets(api: Api) -> None:
    status, _, _ = await api.call("POST", "/users/nobody/schedules", json=charger_schedule())
    assert status == 404
    body = {
        "targetType": "hvac",
        "targetId": HVAC,
        "isEnabled": True,
        "defaultTargetState": {"holdType": "PERMANENT", "mode": "HEAT", "heatSetpoint": 99},
        "rules": [],
    }
    status, data, _ = await api.call("POST", f"/users/{USER}/schedules", json=body)
    assert status == 400
    assert "between 10.0 and 28.0" in data["detail"]
    body["defaultTargetState"] = {"holdType": "PERMANENT", "mode": "FAN"}
    status, data, _ = await api.call("POST", f"/users/{USER}/schedules", json=body)
    assert status == 400
    assert '"defaultTargetState.mode"' in data["detail"]
    created = await _create(api, charger_schedule())
    status, data, _ = await api.call(
        "PUT", f"/schedules/{created['id']}", json={"rules": [{"shouldCharge": 1}]}
    )
    assert status == 400
    assert "shouldCharge" in data["detail"]
    assert (await api.get(f"/schedules/{created['id']}")) == created  # unchanged


async def test_charger_schedule_starts_and_stops_charging_on_the_clock(
    api: Api, emulator: Emulator
) -> None:
    assert not await _charging(api)
    created = await _create(api, charger_schedule())
    status = await api.get(f"/schedules/{created['id']}/status")
    assert status["scheduleType"] == "CHARGE"
    assert status["state"] == "ALIGNED"
    assert status["isChargingExpected"] is False
    assert status["isChargingExpectedParts"] == {
        "needsCharge": True,
        "isPluggedIn": True,
        "shouldCharge": False,
    }
    assert status["smartOverride"] is None
    assert [t["at"] for t in status["upcomingTransitions"]] == [
        "2025-06-01T10:30:00.000Z",
        "2025-06-01T10:50:00.000Z",
    ]
    assert [t["shouldCharge"] for t in status["upcomingTransitions"]] == [True, False]

    await emulator.advance(30 * 60)  # 12:30 Oslo: the rule applies, a START action is sent
    status = await api.get(f"/schedules/{created['id']}/status")
    assert status["state"] == "PENDING"
    assert status["isChargingExpected"] is True
    await emulator.advance(10)  # the action delay (5 s) passed
    assert await _charging(api)
    assert (await api.get(f"/schedules/{created['id']}/status"))["state"] == "ALIGNED"

    await emulator.advance(20 * 60)  # 12:50: the window ends, the schedule stops charging
    await emulator.advance(10)
    assert not await _charging(api)
    status = await api.get(f"/schedules/{created['id']}/status")
    assert status["state"] == "ALIGNED"
    # Next Sunday's window.
    assert status["upcomingTransitions"][0]["at"] == "2025-06-08T10:30:00.000Z"


async def test_a_schedule_created_disabled_controls_nothing(api: Api) -> None:
    created = await _create(api, charger_schedule(isEnabled=False, defaultShouldCharge=True))
    assert created["isEnabled"] is False
    assert (await api.get(f"/schedules/{created['id']}/status"))["state"] == "INACTIVE:DISABLED"
    status, _, _ = await api.call("POST", f"/chargers/{CHARGER}/charging", json={"action": "START"})
    assert status == 200


async def test_schedule_controls_answer_422_and_disabled_schedule_releases(
    api: Api, emulator: Emulator
) -> None:
    created = await _create(api, charger_schedule())
    status, data, _ = await api.call(
        "POST", f"/chargers/{CHARGER}/charging", json={"action": "START"}
    )
    assert status == 422
    assert data["title"] == "Enode Controlled Entity"
    status, _updated, _ = await api.call(
        "PUT", f"/schedules/{created['id']}", json={"isEnabled": False}
    )
    assert status == 200
    assert (await api.get(f"/schedules/{created['id']}/status"))["state"] == "INACTIVE:DISABLED"
    status, _, _ = await api.call("POST", f"/chargers/{CHARGER}/charging", json={"action": "START"})
    assert status == 200
    # A disabled schedule does not act: charging the user started stays on.
    await emulator.advance(60)
    assert await _charging(api)


async def test_override_and_failed_action_states(api: Api, emulator: Emulator) -> None:
    created = await _create(api, charger_schedule(defaultShouldCharge=True, rules=[]))
    emulator.set_action_outcome(CHARGER, {"state": "FAILED"})
    await emulator.advance(1)
    assert (await api.get(f"/schedules/{created['id']}/status"))["state"] == "PENDING"
    await emulator.advance(10)
    assert (await api.get(f"/schedules/{created['id']}/status"))["state"] == "MISALIGNED"
    emulator.set_action_outcome(CHARGER, None)
    await emulator.advance(5 * 60)  # retried after the back-off
    await emulator.advance(10)
    assert await _charging(api)
    assert (await api.get(f"/schedules/{created['id']}/status"))["state"] == "ALIGNED"
    await api.call("PUT", f"/schedules/{created['id']}", json={"defaultShouldCharge": False})
    # The charger route is 2024-01-01's: opt in (2024-10-01 has vehicles only).
    await api.call("PUT", "/_emulator/features", json={"chargerSmartOverride": True})
    await api.post(f"/chargers/{CHARGER}/smart-override")
    status = await api.get(f"/schedules/{created['id']}/status")
    assert status["state"] == "INACTIVE:OVERRIDDEN"
    assert status["smartOverride"]["targetId"] == CHARGER


async def test_vehicle_schedule_and_smart_charging_exclude_each_other(api: Api) -> None:
    policy = f"/vehicles/{VEHICLE}/smart-charging-policy"
    status, _, _ = await api.call("PUT", policy, json={"isEnabled": True, "deadline": "07:00"})
    assert status == 200
    body = charger_schedule(targetType="vehicle", targetId=VEHICLE, locationId=SITE)
    created = await _create(api, body)
    assert (await api.get(policy))["isEnabled"] is False  # the schedule took over
    status, data, _ = await api.call(
        "POST", f"/vehicles/{VEHICLE}/charging", json={"action": "START"}
    )
    assert status == 422
    assert "schedule" in data["detail"]
    status, _, _ = await api.call("PUT", policy, json={"isEnabled": True})
    assert status == 200
    schedule = await api.get(f"/schedules/{created['id']}")
    assert schedule["isEnabled"] is False  # smart charging took over again
    assert (await api.get(f"/schedules/{created['id']}/status"))["state"] == "INACTIVE:DISABLED"


async def test_vehicle_away_from_the_location(api: Api, emulator: Emulator) -> None:
    body = charger_schedule(targetType="vehicle", targetId=VEHICLE, locationId=SITE)
    created = await _create(api, body)
    assert (await api.get(f"/schedules/{created['id']}/status"))["state"] == "ALIGNED"
    emulator.core.move_vehicle(VEHICLE, 60.5, 11.5)
    assert (await api.get(f"/schedules/{created['id']}/status"))["state"] == "INACTIVE:AWAY"


async def test_temperature_schedule_sets_hvac_targets(api: Api, emulator: Emulator) -> None:
    body = {
        "targetType": "hvac",
        "targetId": HVAC,
        "isEnabled": True,
        "defaultTargetState": {"holdType": "SCHEDULED"},
        "rules": [
            {
                "targetState": {"holdType": "PERMANENT", "mode": "HEAT", "heatSetpoint": 23},
                "hourMinute": {"from": "12:00", "to": "12:10"},
            }
        ],
    }
    created = await _create(api, body)
    status = await api.get(f"/schedules/{created['id']}/status")
    assert status["scheduleType"] == "TEMPERATURE"
    assert status["state"] == "PENDING"
    assert status["current"] == {"holdType": "SCHEDULED"}
    assert status["expected"] == {"holdType": "PERMANENT", "mode": "HEAT", "heatSetpoint": 23}
    assert status["upcomingTransitions"][0] == {
        "at": "2025-06-01T10:10:00.000Z",
        "target": {"holdType": "SCHEDULED"},
    }
    await emulator.advance(10)
    thermostat = (await api.get(f"/hvacs/{HVAC}"))["thermostatState"]
    assert (thermostat["holdType"], thermostat["heatSetpoint"]) == ("PERMANENT", 23)
    assert (await api.get(f"/schedules/{created['id']}/status"))["state"] == "ALIGNED"
    status, _, _ = await api.call("POST", f"/hvacs/{HVAC}/follow-schedule")
    assert status == 422
    await emulator.advance(10 * 60)
    await emulator.advance(10)
    assert (await api.get(f"/hvacs/{HVAC}"))["thermostatState"]["holdType"] == "SCHEDULED"


async def test_execution_events(api: Api, emulator: Emulator, receiver: Receiver) -> None:
    await api.post("/webhooks", {"url": receiver.url, "secret": "s" * 32})
    created = await _create(api, charger_schedule())
    await emulator.advance(30 * 60)
    await emulator.advance(10)
    events = [e for e in receiver.events() if e["event"] == "user:schedule:execution-updated"]
    assert [e["status"]["state"] for e in events] == ["PENDING", "ALIGNED"]
    last = events[-1]
    assert last["user"]["id"] == USER
    assert last["schedule"]["id"] == created["id"]
    assert last["schedule"]["locationId"] is None
    assert last["status"]["isCharging"] is True
    assert "state" in last["updatedFields"]
    count = len(events)
    await emulator.advance(120)  # nothing changed: no new event
    events = [e for e in receiver.events() if e["event"] == "user:schedule:execution-updated"]
    assert len(events) == count


async def test_deleting_the_target_deletes_its_schedules(api: Api, emulator: Emulator) -> None:
    created = await _create(api, charger_schedule())
    emulator.remove_asset(CHARGER)
    status, _, _ = await api.call("GET", f"/schedules/{created['id']}")
    assert status == 404


async def test_schedules_survive_persistence(emulator: Emulator) -> None:
    import pickle  # noqa: PLC0415

    body = charger_schedule()
    record = emulator.core.schedules.create(USER, body)
    restored = pickle.loads(pickle.dumps(emulator.core))  # noqa: S301 - our own object
    assert restored.schedules.get(record["id"]).data == record


def _reference(start: int, end: int, days: list[int], moment: datetime) -> bool:
    """A daily window by counting minutes since `from` (`to` always resolves after `from`)."""
    minute = moment.hour * 60 + moment.minute
    length = (end - start) % 1440 or 1440
    since = (minute - start) % 1440
    opened = moment - timedelta(minutes=since)
    return since < length and opened.weekday() in days


@settings(max_examples=300, deadline=None)
@given(
    start=st.integers(0, 1439),
    end=st.integers(0, 1439),
    days=st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True),
    minutes=st.integers(0, 14 * 1440),
)
def test_hour_minute_windows_match_a_reference(
    start: int, end: int, days: list[int], minutes: int
) -> None:
    """hourMinute windows, also across midnight, with the weekday of the day they opened."""
    from enode_emulator.schedules import _window_active  # noqa: PLC0415

    rule = {
        "shouldCharge": True,
        "hourMinute": {
            "from": f"{start // 60:02d}:{start % 60:02d}",
            "to": f"{end // 60:02d}:{end % 60:02d}",
        },
        "weekdays": days,
    }
    moment = datetime(2025, 6, 2, tzinfo=UTC) + timedelta(minutes=minutes)
    assert _window_active(rule, moment, moment) == _reference(start, end, days, moment)
