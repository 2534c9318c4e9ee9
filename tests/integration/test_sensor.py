"""Sensors: the demo household's snapshot, derived values, availability and new assets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from enode_emulator import Emulator

from .conftest import DEMO_USER, asset_kinds, diagnostics, last_update_success, poll_now
from .platform_helpers import BATTERY, CHARGER, HVAC, METER, VEHICLE

START = datetime(2025, 6, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def emulator_start_time() -> datetime:
    """A fixed emulator clock, so timestamps in the snapshot are stable."""
    return START


@pytest.fixture(autouse=True)
def only_sensors() -> object:
    """Set up only the sensor platform."""
    with patch("custom_components.enode.PLATFORMS", [Platform.SENSOR]):
        yield


def entity_id(entity_registry: er.EntityRegistry, asset_id: str, key: str) -> str:
    """The entity id of an Enode sensor by asset and description key."""
    found = entity_registry.async_get_entity_id("sensor", "enode", f"{asset_id}_{key}")
    assert found is not None, key
    return found


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    setup_integration: MockConfigEntry,
) -> None:
    """Every sensor of the demo household: names, classes, units, states."""
    await snapshot_platform(hass, entity_registry, snapshot, setup_integration.entry_id)


async def test_meter_split_and_battery_split(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Import/export and charging/discharging power are non-negative halves of the signed value."""
    emulator.patch_asset(METER, {"energyState": {"power": -2.5}})
    emulator.patch_asset(BATTERY, {"chargeState": {"chargeRate": -1.25}})
    await emulator.advance(1)
    await hass.async_block_till_done()
    states = {
        key: hass.states.get(entity_id(entity_registry, asset, key)).state
        for asset, key in (
            (METER, "grid_power"),
            (METER, "import_power"),
            (METER, "export_power"),
            (BATTERY, "charge_rate"),
            (BATTERY, "charging_power"),
            (BATTERY, "discharging_power"),
        )
    }
    assert states == {
        "grid_power": "-2.5",
        "import_power": "0.0",
        "export_power": "2.5",
        "charge_rate": "-1.25",
        "charging_power": "0.0",
        "discharging_power": "1.25",
    }
    emulator.patch_asset(METER, {"energyState": {"power": 3.0}})
    await emulator.advance(1)
    await hass.async_block_till_done()
    assert hass.states.get(entity_id(entity_registry, METER, "import_power")).state == "3.0"
    assert hass.states.get(entity_id(entity_registry, METER, "export_power")).state == "0.0"


async def test_enum_states_map_unknown_values_safely(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Known enum values are translated states; UNKNOWN and new values are 'unknown'."""
    power_delivery = entity_id(entity_registry, VEHICLE, "power_delivery_state")
    status = entity_id(entity_registry, BATTERY, "status")
    assert hass.states.get(power_delivery).state == "plugged_in_stopped"
    emulator.patch_asset(VEHICLE, {"chargeState": {"powerDeliveryState": "PLUGGED_IN:WARP"}})
    emulator.patch_asset(BATTERY, {"chargeState": {"status": "UNKNOWN"}})
    await emulator.advance(1)
    await hass.async_block_till_done()
    assert hass.states.get(power_delivery).state == STATE_UNKNOWN
    assert hass.states.get(status).state == STATE_UNKNOWN
    emulator.patch_asset(BATTERY, {"chargeState": {"status": "FAULT"}})
    await emulator.advance(1)
    await hass.async_block_till_done()
    assert hass.states.get(status).state == "fault"


async def test_unreachable_keeps_values_and_gone_asset_is_unavailable(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """An unreachable asset keeps its last values; a deleted asset's entities go away."""
    level = entity_id(entity_registry, BATTERY, "battery_level")
    emulator.patch_asset(BATTERY, {"isReachable": False})
    await emulator.advance(1)
    await hass.async_block_till_done()
    [battery] = [
        asset
        for alias, asset in (await diagnostics(hass, setup_integration))["assets"].items()
        if alias.startswith("battery_")
    ]
    assert battery["isReachable"] is False
    assert hass.states.get(level).state == "60.0"
    emulator.remove_asset(BATTERY)
    await emulator.advance(1)
    await hass.async_block_till_done()
    state = hass.states.get(level)
    assert state is None or state.state == STATE_UNAVAILABLE


async def test_new_asset_gets_sensors_after_refresh(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A vehicle linked later gets its sensors when the coordinator next refreshes."""
    new_id = emulator.add_asset(DEMO_USER, {"type": "vehicle", "vendor": "VOLKSWAGEN"})["id"]
    await poll_now(hass, entity_id(entity_registry, BATTERY, "battery_level"))
    level = entity_id(entity_registry, new_id, "battery_level")
    assert hass.states.get(level).state not in (STATE_UNKNOWN, STATE_UNAVAILABLE)


async def test_failed_poll_unavailable_only_without_push(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """A failed poll is harmless while push delivers; without push entities go unavailable."""
    level = entity_id(entity_registry, BATTERY, "battery_level")
    emulator.add_fault(path="*", status=500)
    await poll_now(hass, level)
    assert not await last_update_success(hass, setup_integration)
    assert hass.states.get(level).state == "60.0"  # webhooks still deliver: data is current
    # An hour without any delivery: push went quiet, the data can no longer be trusted.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=61))
    await hass.async_block_till_done()
    assert hass.states.get(level).state == STATE_UNAVAILABLE
    emulator.core.faults.clear()
    # A poll right now, not through update_entity: its debouncer still holds the failed one.
    await setup_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get(level).state == "60.0"


async def test_charge_rate_is_zero_when_known_not_charging(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Enode sends null while not charging: 0 kW then, unknown only when nothing is known."""
    vehicle = entity_id(entity_registry, VEHICLE, "charge_rate")
    charger = entity_id(entity_registry, CHARGER, "charge_rate")
    assert emulator.asset(VEHICLE)["chargeState"]["chargeRate"] is None
    assert emulator.asset(VEHICLE)["chargeState"]["isCharging"] is False
    assert hass.states.get(vehicle).state == "0.0"
    assert hass.states.get(charger).state == "0.0"
    emulator.patch_asset(VEHICLE, {"chargeState": {"isCharging": True, "chargeRate": 7.2}})
    emulator.patch_asset(
        CHARGER, {"chargeState": {"isCharging": None, "isPluggedIn": False, "chargeRate": None}}
    )
    await emulator.advance(1)
    await hass.async_block_till_done()
    assert hass.states.get(vehicle).state == "7.2"
    assert hass.states.get(charger).state == "0.0"  # unplugged: certainly not charging
    emulator.patch_asset(
        VEHICLE, {"chargeState": {"isCharging": None, "isPluggedIn": None, "chargeRate": None}}
    )
    await emulator.advance(1)
    await hass.async_block_till_done()
    assert hass.states.get(vehicle).state == STATE_UNKNOWN


async def test_thermostat_has_a_room_temperature_sensor(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """The heat pump has a climate entity and still a temperature sensor (measurement, °C)."""
    assert emulator.asset(HVAC)["capabilities"]["setPermanentHold"]["isCapable"] is True
    sensor = entity_id(entity_registry, HVAC, "current_temperature")
    state = hass.states.get(sensor)
    assert state.state == "20.0"
    assert state.attributes["friendly_name"] == "Daikin heat pump Temperature"
    assert state.attributes["device_class"] == "temperature"
    assert state.attributes["state_class"] == "measurement"
    assert state.attributes["unit_of_measurement"] == "°C"
    emulator.patch_asset(HVAC, {"temperatureState": {"currentTemperature": 21.4}})
    await emulator.advance(1)
    await hass.async_block_till_done()
    assert hass.states.get(sensor).state == "21.4"
    silent = emulator.add_asset(DEMO_USER, {"type": "hvac", "vendor": "DAIKIN"})["id"]
    emulator.patch_asset(silent, {"temperatureState": {"currentTemperature": None}})
    hvacs = asset_kinds(await diagnostics(hass, setup_integration))["hvac"]
    await poll_now(hass, sensor)
    assert asset_kinds(await diagnostics(hass, setup_integration))["hvac"] == hvacs + 1
    assert (
        entity_registry.async_get_entity_id("sensor", "enode", f"{silent}_current_temperature")
        is None
    )


async def test_display_precision_and_units_a_person_reads(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Whole percent, one-decimal kWh, and the time remaining in hours (shown as "5h 35m")."""

    def precision(asset_id: str, key: str) -> int | None:
        entry = entity_registry.async_get(entity_id(entity_registry, asset_id, key))
        return entry.options["sensor"]["suggested_display_precision"]

    assert precision(VEHICLE, "battery_level") == 0
    assert precision(BATTERY, "battery_level") == 0
    assert precision(VEHICLE, "charge_limit") == 0
    assert precision(VEHICLE, "battery_capacity") == 1
    assert precision(BATTERY, "battery_capacity") == 1
    battery = hass.states.get(entity_id(entity_registry, VEHICLE, "battery_level"))
    assert battery.attributes["friendly_name"] == "My Model 3 Battery"
    assert entity_registry.async_get(battery.entity_id).translation_key == "battery_level"
    remaining = entity_id(entity_registry, VEHICLE, "charge_time_remaining")
    emulator.patch_asset(VEHICLE, {"chargeState": {"chargeTimeRemaining": 335}})
    await emulator.advance(1)
    await hass.async_block_till_done()
    state = hass.states.get(remaining)
    assert state.attributes["unit_of_measurement"] == "h"
    assert state.attributes["device_class"] == "duration"
    assert float(state.state) == pytest.approx(335 / 60)
