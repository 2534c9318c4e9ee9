"""Devices mirror Enode assets: created when an asset appears, removed when it is gone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo

from .api import Asset, AssetType
from .const import DOMAIN, LOGGER

if TYPE_CHECKING:
    from .models import EnodeConfigEntry

# Fallback device names when Enode has no display name, brand or model.
TYPE_NAMES: dict[AssetType, str] = {
    AssetType.VEHICLE: "Vehicle",
    AssetType.CHARGER: "EV charger",
    AssetType.BATTERY: "Home battery",
    AssetType.HVAC: "Thermostat",
    AssetType.INVERTER: "Solar inverter",
    AssetType.METER: "Grid meter",
    AssetType.HEM_SYSTEM: "Home energy system",
}


def asset_device_info(asset: Asset) -> DeviceInfo:
    """DeviceInfo of an asset: brand, model, serial or VIN, and its HEM system."""
    info = asset.information
    name = (
        asset.display_name
        or " ".join(part for part in (asset.brand, asset.model) if part)
        or TYPE_NAMES.get(asset.asset_type, "Enode device")
    )
    device = DeviceInfo(
        identifiers={(DOMAIN, asset.id)},
        name=name,
        manufacturer=asset.brand or (asset.vendor.title() if asset.vendor else None),
        model=asset.model,
        serial_number=(info.vin or info.serial_number) if info else None,
    )
    if info and info.group_name:
        device["suggested_area"] = info.group_name
    if asset.hem_system_id and asset.asset_type is not AssetType.HEM_SYSTEM:
        device["via_device"] = (DOMAIN, asset.hem_system_id)
    return device


@callback
def async_sync_devices(hass: HomeAssistant, entry: EnodeConfigEntry) -> None:
    """Create devices for new assets and remove devices of assets that are gone."""
    snapshot = entry.runtime_data.coordinator.data
    registry = dr.async_get(hass)
    # HEM systems first, so members can point at them with via_device.
    ordered = sorted(
        snapshot.assets.values(), key=lambda a: a.asset_type is not AssetType.HEM_SYSTEM
    )
    for asset in ordered:
        info = asset_device_info(asset)
        if asset.hem_system_id and asset.hem_system_id not in snapshot.assets:
            info.pop("via_device", None)
        registry.async_get_or_create(config_entry_id=entry.entry_id, **info)
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        asset_ids = {ident for domain, ident in device.identifiers if domain == DOMAIN}
        if asset_ids and not asset_ids & snapshot.assets.keys():
            LOGGER.info("Removing device %s: its Enode asset is gone", device.name)
            registry.async_update_device(device.id, remove_config_entry_id=entry.entry_id)
