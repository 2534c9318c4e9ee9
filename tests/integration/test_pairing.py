"""EV-charger pairing sensors and the charge limit Enode leaves null (assume 100 %)."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from enode_emulator import Emulator

from .platform_helpers import CHARGER, VEHICLE, asset_device, entity_id


@pytest.fixture(autouse=True)
def only_sensors() -> object:
    """Set up only the sensor platform."""
    with patch("custom_components.enode.PLATFORMS", [Platform.SENSOR]):
        yield


async def settle(hass: HomeAssistant, emulator: Emulator) -> None:
    """Let the emulator push its changes."""
    await emulator.advance(1)
    await hass.async_block_till_done()


async def test_pairing_sensors_name_each_other(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """The vehicle names its charger and the charger its vehicle; none once unplugged."""
    at_charger = entity_id(entity_registry, "sensor", VEHICLE, "plugged_in_charger")
    at_vehicle = entity_id(entity_registry, "sensor", CHARGER, "plugged_in_vehicle")
    assert hass.states.get(at_charger).state == "Zaptec Go"
    assert hass.states.get(at_vehicle).state == "My Model 3"
    assert hass.states.get(at_charger).attributes["options"] == ["Zaptec Go", "none"]
    emulator.plug_vehicle(VEHICLE, False)
    await settle(hass, emulator)
    assert hass.states.get(at_charger).state == "none"
    assert hass.states.get(at_vehicle).state == "none"
    # Plugged in again: the pairing comes back, under the name the user gave the charger.
    charger = asset_device(device_registry, setup_integration, CHARGER)
    assert charger is not None
    device_registry.async_update_device(charger.id, name_by_user="Garage")
    emulator.plug_vehicle(VEHICLE, True)
    await settle(hass, emulator)
    assert hass.states.get(at_charger).state == "Garage"
    assert hass.states.get(at_charger).attributes["options"] == ["Garage", "none"]
    # A charger the user does not have: unknown rather than a wrong name.
    emulator.patch_asset(VEHICLE, {"chargeState": {"pluggedInChargerId": "someone-elses"}})
    await settle(hass, emulator)
    assert hass.states.get(at_charger).state == STATE_UNKNOWN


async def test_null_charge_limit_is_shown_as_100(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Enode recommends assuming 100 % when the vendor reports no limit."""
    limit = entity_id(entity_registry, "sensor", VEHICLE, "charge_limit")
    assert hass.states.get(limit).state == "80.0"
    emulator.patch_asset(VEHICLE, {"chargeState": {"chargeLimit": None}})
    await settle(hass, emulator)
    assert hass.states.get(limit).state == "100.0"
