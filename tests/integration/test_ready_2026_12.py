"""What Home Assistant 2026.12 turns from warnings into errors, checked on today's release."""

from __future__ import annotations

from homeassistant.config_entries import OptionsFlowWithReload
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.enode.config_flow import EnodeConfigFlow
from custom_components.enode.const import CONF_MAX_CHARGE_CURRENT
from enode_emulator import Emulator

from .conftest import DEMO_USER
from .platform_helpers import CHARGER, VEHICLE, asset_device, settle

# The device registry fields 2026.12 accepts only as strings (or None).
STRING_FIELDS = ("manufacturer", "model", "model_id", "hw_version", "sw_version", "serial_number")


def _fields(device: dr.DeviceEntry) -> dict[str, object]:
    return {field: getattr(device, field) for field in STRING_FIELDS}


async def test_numeric_names_from_enode_are_strings_in_the_device_registry(
    hass: HomeAssistant,
    emulator: Emulator,
    device_registry: dr.DeviceRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Enode sends a model, year, VIN and serial number as numbers: the registry gets text."""
    emulator.patch_asset(
        VEHICLE, {"information": {"brand": 1886, "model": 3, "year": 2022, "vin": 12345678}}
    )
    emulator.patch_asset(CHARGER, {"information": {"model": 2.0, "serialNumber": 987654321}})
    await settle(hass, emulator, 1)  # pushed by webhook
    vehicle = asset_device(device_registry, setup_integration, VEHICLE)
    charger = asset_device(device_registry, setup_integration, CHARGER)
    assert vehicle is not None
    assert charger is not None
    assert (vehicle.manufacturer, vehicle.model, vehicle.serial_number) == (
        "1886",
        "3",
        "12345678",
    )
    assert (charger.model, charger.serial_number) == ("2", "987654321")
    # A new asset whose first data already has numbers, found by a poll.
    added = emulator.add_asset(DEMO_USER, {"type": "charger", "vendor": "ZAPTEC"})["id"]
    emulator.patch_asset(added, {"information": {"model": 7, "serialNumber": 42}})
    await setup_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    new = asset_device(device_registry, setup_integration, added)
    assert new is not None
    assert (new.model, new.serial_number) == ("7", "42")
    for device in dr.async_entries_for_config_entry(device_registry, setup_integration.entry_id):
        for field, value in _fields(device).items():
            assert value is None or isinstance(value, str), (device.name, field, value)


async def test_no_update_listener_next_to_the_reloading_options_flow(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """OptionsFlowWithReload reloads by itself: an update listener of ours would be an error.

    Checked after setup and again after the options flow reloaded the entry.
    """
    entry = setup_integration
    assert isinstance(EnodeConfigFlow.async_get_options_flow(entry), OptionsFlowWithReload)
    assert entry.update_listeners == []
    running = entry.runtime_data
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_MAX_CHARGE_CURRENT: 20, "backfill_days": 30}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.runtime_data is not running  # the flow's own reload
    assert entry.update_listeners == []
