"""Devices mirror Enode assets: created when an asset appears, removed when it is gone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

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


def device_name(asset: Asset) -> str:
    """The user's nickname, else brand and model, else the kind of device.

    Batteries, inverters and meters carry only a site name, which would give every device of
    a household the same name; they are named by brand and model instead.
    """
    info = asset.information
    if asset.asset_type is AssetType.HEM_SYSTEM:
        site = info.site_name if info else None
        return f"{site} energy system" if site else TYPE_NAMES[AssetType.HEM_SYSTEM]
    return (
        (info.display_name if info else None)
        or " ".join(part for part in (asset.brand, asset.model) if part)
        or TYPE_NAMES.get(asset.asset_type, "Enode device")
    )


@callback
def async_shown_name(hass: HomeAssistant, entry_id: str, asset: Asset) -> str:
    """The asset's device name as the user sees it (their rename first).

    Looked up among the entry's own devices: identifiers are unique per entry only, and
    `async_get_device` is deprecated for that reason (2026.11, breaks in 2027.8).
    """
    for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry_id):
        if (DOMAIN, asset.id) in device.identifiers:
            return device.name_by_user or device.name or device_name(asset)
    return device_name(asset)


@callback
def async_sync_devices(hass: HomeAssistant, entry: EnodeConfigEntry) -> None:
    """Create devices for new assets and remove devices of assets that are gone.

    Entities attach by identifiers only. The registry is written with keyword arguments that
    both the tested release (DeviceInfo a TypedDict, `via_device` tuple) and the newest one
    (DeviceInfo a dataclass, `via_device_id`) accept: the HEM link is set by device id after.
    """
    snapshot = entry.runtime_data.coordinator.data
    registry = dr.async_get(hass)
    device_ids: dict[str, str] = {}
    for asset in snapshot.assets.values():
        info = asset.information
        device = registry.async_get_or_create(
            config_entry_id=entry.entry_id,
            identifiers={(DOMAIN, asset.id)},
            name=device_name(asset),
            manufacturer=asset.brand or (asset.vendor.title() if asset.vendor else None),
            # Enode reports no model for HEM systems: name the kind, as Home Assistant shows it.
            model=asset.model
            or (TYPE_NAMES[asset.asset_type] if asset.asset_type is AssetType.HEM_SYSTEM else None),
            serial_number=(info.vin or info.serial_number) if info else None,
            suggested_area=info.group_name if info else None,
        )
        device_ids[asset.id] = device.id
    for asset in snapshot.assets.values():
        hem_device = device_ids.get(asset.hem_system_id or "")
        device_id = device_ids[asset.id]
        if hem_device and hem_device != device_id:
            # A no-op when unchanged: the registry only writes differences.
            registry.async_update_device(device_id, via_device_id=hem_device)
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        asset_ids = {ident for domain, ident in device.identifiers if domain == DOMAIN}
        if asset_ids and not asset_ids & snapshot.assets.keys():
            LOGGER.info("Removing device %s: its Enode asset is gone", device.name)
            # A device belongs to this entry alone (`remove_config_entry_id` is deprecated).
            registry.async_remove_device(device.id)
