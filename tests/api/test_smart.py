"""The smart layer of EnodeClient against the emulator, and parsing of uncertain shapes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from aioenode import (
    AssetType,
    EnodeBadRequestError,
    EnodeClient,
    EnodeControlledEntityError,
    EnodeNotFoundError,
    EnodeSmartChargingPolicyError,
    Location,
    SmartChargingErrorCause,
    SmartChargingFailureCondition,
    SmartChargingPlan,
    SmartChargingState,
    SmartChargingStatus,
    SmartChargingStatusEvent,
    TariffInterval,
    TariffRate,
    parse_event,
    parse_location_tariff,
    smart_charging_error_cause,
)
from enode_emulator import Emulator, EmulatorConfig

USER = "demo-user"
VEHICLE = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b01"
CHARGER = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b02"
SITE = "8d2f7c1e-4b0a-4c1e-9a51-0d3f5b6e7a01"


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """Run the demo scenario with a frozen clock at a fixed time.

    Plans depend on the time of day (the cheapest hours are at night): a fixed early afternoon
    keeps "not charging yet" true whenever the test runs.
    """
    emu = Emulator(
        EmulatorConfig(
            scenario="demo",
            seed=1,
            speed=0,
            action_delay=3,
            start_time=datetime(2026, 6, 1, 12, 0, tzinfo=UTC),
        )
    )
    await emu.start(host="127.0.0.1", port=0)
    yield emu
    await emu.stop()


@pytest.fixture
def client(session: aiohttp.ClientSession, emulator: Emulator) -> EnodeClient:
    """Return a client of the emulator."""
    return EnodeClient(
        session,
        emulator.client_id,
        emulator.client_secret,
        api_url=emulator.base_url,
        token_url=emulator.token_url,
        retry_base_delay=0,
        request_timeout=5,
    )


async def test_policy_status_plan_and_override(client: EnodeClient, emulator: Emulator) -> None:
    policy = await client.get_vehicle_smart_charging_policy(VEHICLE)
    assert policy.is_enabled is False
    assert policy.deadline is None
    status = await client.get_vehicle_smart_charging_status(VEHICLE)
    assert status.state is SmartChargingState.DISABLED
    assert status.plan is None
    policy = await client.set_vehicle_smart_charging_policy(
        VEHICLE, is_enabled=True, deadline="07:00", minimum_charge_limit=0
    )
    assert (policy.is_enabled, policy.deadline, policy.minimum_charge_limit) == (True, "07:00", 0)
    vehicle = await client.get_asset(AssetType.VEHICLE, VEHICLE)
    assert vehicle.smart_charging_policy == policy  # type: ignore[union-attr]
    status = await client.get_vehicle_smart_charging_status(VEHICLE)
    assert status.state is SmartChargingState.PLAN_EXECUTING_STOPPED
    assert status.is_executing
    assert status.consideration is not None
    assert status.consideration.at_charging_location is True
    assert status.plan is not None
    assert status.plan.location_id == SITE
    assert status.plan.savings is not None
    assert status.plan.savings > 0
    latest = await client.get_vehicle_smart_charging_plan(VEHICLE)
    assert latest.id == status.plan.id
    assert (await client.get_vehicle_smart_charging_plan(VEHICLE, latest.id)).id == latest.id
    with pytest.raises(EnodeControlledEntityError):
        await client.set_charging(AssetType.VEHICLE, VEHICLE, start=True)
    override = await client.create_smart_override(AssetType.VEHICLE, VEHICLE)
    assert override.ended_at is None
    status = await client.get_vehicle_smart_charging_status(VEHICLE)
    assert status.state is SmartChargingState.PLAN_EXECUTING_OVERRIDDEN
    assert status.is_overridden
    ended = await client.end_smart_override(AssetType.VEHICLE, VEHICLE)
    assert ended.ended_at is not None
    with pytest.raises(EnodeNotFoundError):
        await client.end_smart_override(AssetType.VEHICLE, VEHICLE)
    await client.set_vehicle_smart_charging_policy(VEHICLE, is_enabled=False)
    plan = await client.get_vehicle_smart_charging_plan(VEHICLE, latest.id)
    assert plan.final_state is SmartChargingState.PLAN_ENDED_DISABLED
    assert plan.is_ended


@pytest.mark.parametrize(
    ("kwargs", "cause"),
    [
        ({"is_enabled": True, "deadline": None}, SmartChargingErrorCause.DEADLINE_MISSING),
        ({"deadline": "7am"}, SmartChargingErrorCause.INVALID_DEADLINE),
        (
            {"is_enabled": True, "deadline": "07:00", "minimum_charge_limit": 95},
            SmartChargingErrorCause.MINIMUM_ABOVE_CHARGE_LIMIT,
        ),
    ],
)
async def test_policy_errors_have_causes(
    client: EnodeClient, kwargs: dict[str, Any], cause: SmartChargingErrorCause
) -> None:
    with pytest.raises(EnodeSmartChargingPolicyError) as info:
        await client.set_vehicle_smart_charging_policy(VEHICLE, **kwargs)
    assert info.value.cause is cause
    assert isinstance(info.value, EnodeBadRequestError)
    assert info.value.status == 400


async def test_policy_errors_from_emulator_state(
    client: EnodeClient, emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    async def admin(method: str, path: str, body: Any) -> None:
        async with session.request(method, emulator.base_url + path, json=body) as response:
            assert response.status < 300

    enable = {"is_enabled": True, "deadline": "07:00"}
    await admin("PUT", f"/_emulator/locations/{SITE}/prices", {"prices": None})
    with pytest.raises(EnodeSmartChargingPolicyError) as info:
        await client.set_vehicle_smart_charging_policy(VEHICLE, **enable)  # type: ignore[arg-type]
    assert info.value.cause is SmartChargingErrorCause.NO_PRICE_AREA_OR_TARIFF
    await admin("PUT", f"/_emulator/vehicles/{VEHICLE}/smart-charging-claimed", {"claimed": True})
    with pytest.raises(EnodeSmartChargingPolicyError) as info:
        await client.set_vehicle_smart_charging_policy(VEHICLE, **enable)  # type: ignore[arg-type]
    assert info.value.cause is SmartChargingErrorCause.ENABLED_BY_OTHER_USER
    benz = emulator.add_asset(USER, {"type": "vehicle", "vendor": "MERCEDES"})
    await admin("PUT", f"/_emulator/locations/{SITE}/prices", {"prices": [1.0] * 24})
    with pytest.raises(EnodeSmartChargingPolicyError) as info:
        await client.set_vehicle_smart_charging_policy(
            benz["id"], is_enabled=True, deadline="07:00", minimum_charge_limit=10
        )
    assert info.value.cause is SmartChargingErrorCause.MINIMUM_BELOW_VENDOR_THRESHOLD
    reader = emulator.add_asset(
        USER, {"type": "vehicle", "vendor": "TESLA", "scopes": ["vehicle:read:data"]}
    )
    with pytest.raises(EnodeSmartChargingPolicyError) as info:
        await client.set_vehicle_smart_charging_policy(reader["id"], **enable)  # type: ignore[arg-type]
    assert info.value.cause is SmartChargingErrorCause.NOT_CAPABLE


def test_cause_classification_of_enode_wordings() -> None:
    # Wordings of Enode's docs (SMART.md 1.1), not only the emulator's.
    cases = {
        "Smart charging is already enabled for this vehicle by another user": (
            SmartChargingErrorCause.ENABLED_BY_OTHER_USER
        ),
        "Missing deadline": SmartChargingErrorCause.DEADLINE_MISSING,
        "maxChargeLimit < minChargeLimit": SmartChargingErrorCause.MINIMUM_ABOVE_CHARGE_LIMIT,
        "Mercedes vehicles can not have a minimum charge limit below the threshold of 50%": (
            SmartChargingErrorCause.MINIMUM_BELOW_VENDOR_THRESHOLD
        ),
        "User has no price area or tariffs": SmartChargingErrorCause.NO_PRICE_AREA_OR_TARIFF,
        "Vehicle is missing required scopes": SmartChargingErrorCause.NOT_CAPABLE,
        "Something else": SmartChargingErrorCause.UNKNOWN,
    }
    for detail, cause in cases.items():
        assert smart_charging_error_cause(None, detail) is cause, detail
    assert smart_charging_error_cause(None, None) is SmartChargingErrorCause.UNKNOWN
    assert (
        smart_charging_error_cause("Missing deadline", None)
        is SmartChargingErrorCause.DEADLINE_MISSING
    )


async def test_locations_crud(client: EnodeClient, emulator: Emulator) -> None:
    homes = await client.list_locations(USER)
    assert [home.id for home in homes] == [SITE]
    assert homes[0].timezone_name == "Europe/Oslo"
    cabin = await client.create_location(
        USER, name="Cabin", latitude=60.5, longitude=9.1, timezone_name="Europe/Oslo"
    )
    assert isinstance(cabin, Location)
    assert cabin.user_id == USER
    assert {item.id for item in await client.list_locations()} >= {SITE, cabin.id}
    renamed = await client.update_location(cabin.id, name="Hytta")
    assert (renamed.name, renamed.latitude, renamed.timezone_name) == ("Hytta", 60.5, "Europe/Oslo")
    with pytest.raises(EnodeBadRequestError):
        await client.create_location(USER, name="Too close", latitude=60.5001, longitude=9.1)
    deleted = await client.delete_location(cabin.id)
    assert deleted is not None
    assert deleted.id == cabin.id
    with pytest.raises(EnodeNotFoundError):
        await client.get_location(cabin.id)


async def test_tariffs(client: EnodeClient) -> None:
    await client.set_tariff(
        "FLEX", [TariffRate("PEAK", "2.50"), {"name": "OFF-PEAK", "cost": "0.10"}]
    )
    rates = await client.get_tariff("FLEX")
    assert [rate.name for rate in rates] == ["PEAK", "OFF-PEAK"]
    assert rates[0].cost_value == Decimal("2.50")
    await client.set_location_tariff(
        SITE,
        "FLEX",
        [
            TariffInterval("PEAK", "00:00", "20:00"),
            TariffInterval("OFF-PEAK", "20:00", "24:00", weekdays=(0, 1, 2, 3, 4, 5, 6)),
        ],
    )
    rows = await client.get_location_tariff(SITE)
    assert len(rows) == 14
    assert (rows[0].weekday, rows[0].start, rows[0].end, rows[0].tariff_name) == (
        0,
        "00:00",
        "20:00",
        "PEAK",
    )
    with pytest.raises(EnodeBadRequestError, match="Overlapping"):
        await client.set_location_tariff(
            SITE,
            "FLEX",
            [
                TariffInterval("PEAK", "00:00", "12:00"),
                TariffInterval("OFF-PEAK", "11:00", "24:00"),
            ],
        )
    with pytest.raises(EnodeNotFoundError):
        await client.set_location_tariff("nope", "FLEX", [])
    with pytest.raises(EnodeNotFoundError):
        await client.get_tariff("nope")


async def test_status_event_from_emulator(client: EnodeClient, emulator: Emulator) -> None:
    await client.set_vehicle_smart_charging_policy(VEHICLE, is_enabled=True, deadline="07:00")
    raw = next(
        e for e in emulator.events if e["event"] == "user:vehicle:smart-charging-status-updated"
    )
    event = parse_event(raw)
    assert isinstance(event, SmartChargingStatusEvent)
    assert event.user_id == USER
    assert event.status is not None
    assert event.status.vehicle_id == VEHICLE
    assert event.status.plan is not None
    assert "state" in event.updated_fields


# --- parsing of shapes SMART.md is unsure about ------------------------------------------

PLAN_2024_01: dict[str, Any] = {
    "id": "p1",
    "vehicleId": "v",
    "userId": "u",
    "chargingLocationId": "loc-old",
    "locationId": None,
    "vendor": "TESLA",
    "currency": "EUR",
    "nonSmartCost": 3.2,
    "smartCost": 2.0,
    "stopAt": "2024-01-01T10:00:00Z",
    "startAt": None,
    "estimatedFinishAt": "2024-01-02T05:00:00Z",
    "stopConfirmedAt": None,
    "startConfirmedAt": None,
    "endedAt": "2024-01-02T05:00:00Z",
    "finalState": "PLAN:ENDED:FAILED",
    "failureCondition": "FINISHED_LATE",
    "externalStart": {
        "createdAt": "2024-01-01T11:00:00Z",
        "endedAt": None,
        "targetType": "vehicle",
        "targetId": "v",
        "vendorActionId": None,
    },
}


def test_plan_with_and_without_deprecated_keys() -> None:
    old = SmartChargingPlan.from_dict(PLAN_2024_01)
    assert old.location_id == "loc-old"
    assert old.external_start is not None
    assert old.failure_condition is SmartChargingFailureCondition.FINISHED_LATE
    new_shape = {
        k: v for k, v in PLAN_2024_01.items() if k not in ("externalStart", "chargingLocationId")
    }
    new = SmartChargingPlan.from_dict({**new_shape, "locationId": "loc", "finalState": "NEW"})
    assert new.location_id == "loc"
    assert new.external_start is None
    assert new.final_state == "NEW"  # unknown enum values stay strings


def test_status_override_from_status_or_deprecated_plan() -> None:
    base = {"vehicleId": "v", "state": "PLAN:EXECUTING:OVERRIDDEN", "consideration": None}
    status = SmartChargingStatus.from_dict({**base, "plan": PLAN_2024_01, "smartOverride": None})
    assert status.smart_override is not None  # from plan.externalStart
    assert status.is_overridden
    assert status.consideration is None
    status = SmartChargingStatus.from_dict({**base, "plan": None, "state": "SOMETHING:NEW"})
    assert status.smart_override is None
    assert status.state == "SOMETHING:NEW"
    assert not status.is_executing


def test_location_tariff_both_shapes() -> None:
    flat = [
        {
            "weekday": 1,
            "fromHourMinute": "00:00",
            "toHourMinute": "12:00",
            "tariffId": "T",
            "tariffName": "A",
        }
    ]
    assert parse_location_tariff(flat)[0].weekday == 1
    assert parse_location_tariff({"data": flat})[0].tariff_name == "A"
    put_shape = {
        "tariffId": "T",
        "tariffIntervals": [
            {"name": "A", "from": "00:00", "to": "12:00", "weekdays": [5, 6]},
            {"name": "B", "from": "12:00", "to": "24:00"},
        ],
    }
    rows = parse_location_tariff(put_shape)
    assert len(rows) == 9
    assert rows[0].tariff_id == "T"
    assert parse_location_tariff("junk") == []


def test_location_defaults_and_numeric_cost() -> None:
    location = Location.from_dict({"id": "l", "name": "Home", "latitude": 1, "longitude": 2})
    assert location.timezone_name == "UTC"
    rate = TariffRate.from_dict({"name": "A", "cost": 1.5})
    assert rate.cost == "1.5"
    assert TariffRate.from_dict({"name": "A", "cost": "x"}).cost_value is None


def test_event_without_status() -> None:
    event = parse_event(
        {"event": "user:vehicle:smart-charging-status-updated", "user": {"id": "u"}}
    )
    assert isinstance(event, SmartChargingStatusEvent)
    assert event.status is None
    assert event.updated_fields == ()


async def test_assign_charger_location(client: EnodeClient) -> None:
    cabin = await client.create_location(USER, name="Cabin", latitude=60.5, longitude=9.1)
    charger = await client.set_asset_location(AssetType.CHARGER, CHARGER, cabin.id)
    assert charger.location is not None
    assert charger.location.id == cabin.id
    charger = await client.set_asset_location(AssetType.CHARGER, CHARGER, None)
    assert charger.location is not None
    assert charger.location.id is None
    with pytest.raises(EnodeNotFoundError):
        await client.set_asset_location(AssetType.CHARGER, CHARGER, "nope")
    with pytest.raises(ValueError, match="location assignment"):
        await client.set_asset_location(AssetType.VEHICLE, VEHICLE, cabin.id)
