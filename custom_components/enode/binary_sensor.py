"""Binary sensors of Enode assets: plugged in, charging, reachable, producing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory

from .api import Asset, AssetType, Charger, Inverter, Vehicle
from .entity import AssetT_contra, EnodeEntity, async_add_asset_entities

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .models import EnodeConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class EnodeBinarySensorEntityDescription(BinarySensorEntityDescription, Generic[AssetT_contra]):  # noqa: UP046
    """Describes an Enode binary sensor: how to read it and whether an asset has it."""

    value_fn: Callable[[AssetT_contra], bool | None]
    exists_fn: Callable[[AssetT_contra], bool] = lambda _: True


REACHABLE = EnodeBinarySensorEntityDescription[Asset](
    key="reachable",
    translation_key="reachable",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
    value_fn=lambda asset: asset.is_reachable,
)
PLUGGED_IN = EnodeBinarySensorEntityDescription[Vehicle | Charger](
    key="plugged_in",
    translation_key="plugged_in",
    device_class=BinarySensorDeviceClass.PLUG,
    value_fn=lambda asset: asset.charge_state.is_plugged_in if asset.charge_state else None,
)
# The state; the switch of the same key is the control ("Charge").
CHARGING = EnodeBinarySensorEntityDescription[Vehicle | Charger](
    key="charging",
    translation_key="charging",
    device_class=BinarySensorDeviceClass.BATTERY_CHARGING,
    value_fn=lambda asset: asset.charge_state.is_charging if asset.charge_state else None,
)

VEHICLE_BINARY_SENSORS: tuple[EnodeBinarySensorEntityDescription[Vehicle], ...] = (
    PLUGGED_IN,
    CHARGING,
    EnodeBinarySensorEntityDescription[Vehicle](
        key="fully_charged",
        translation_key="fully_charged",
        value_fn=lambda v: v.charge_state.is_fully_charged if v.charge_state else None,
    ),
    REACHABLE,
)

CHARGER_BINARY_SENSORS: tuple[EnodeBinarySensorEntityDescription[Charger], ...] = (
    PLUGGED_IN,
    CHARGING,
    REACHABLE,
)

INVERTER_BINARY_SENSORS: tuple[EnodeBinarySensorEntityDescription[Inverter], ...] = (
    EnodeBinarySensorEntityDescription[Inverter](
        key="producing",
        translation_key="producing",
        device_class=BinarySensorDeviceClass.RUNNING,
        value_fn=lambda i: i.production_state.is_producing if i.production_state else None,
    ),
    REACHABLE,
)

BINARY_SENSORS: dict[AssetType, tuple[EnodeBinarySensorEntityDescription[Any], ...]] = {
    AssetType.VEHICLE: VEHICLE_BINARY_SENSORS,
    AssetType.CHARGER: CHARGER_BINARY_SENSORS,
    AssetType.BATTERY: (REACHABLE,),
    AssetType.HVAC: (REACHABLE,),
    AssetType.INVERTER: INVERTER_BINARY_SENSORS,
    AssetType.METER: (REACHABLE,),
    AssetType.HEM_SYSTEM: (REACHABLE,),
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EnodeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up binary sensors for every asset, now and as assets appear."""
    async_add_asset_entities(
        entry,
        async_add_entities,
        lambda asset: (
            EnodeBinarySensorEntity(entry, asset, description)
            for description in BINARY_SENSORS.get(asset.asset_type, ())
            if description.exists_fn(asset)
        ),
    )


class EnodeBinarySensorEntity(EnodeEntity, BinarySensorEntity):
    """A binary sensor reading one flag of an Enode asset."""

    entity_description: EnodeBinarySensorEntityDescription[Any]

    @property
    def is_on(self) -> bool | None:
        """The flag from the asset's latest state."""
        asset = self.asset
        return None if asset is None else self.entity_description.value_fn(asset)
