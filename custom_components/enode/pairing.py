"""EV-charger pairing sensors: the charger a vehicle is plugged into, and the vehicle at a charger.

Enode pairs a user's vehicle and charger while they are connected (`pluggedInChargerId` on the
vehicle, `pluggedInVehicleId` on the charger). The sensor's state is the other device's name as
Home Assistant shows it; `none` while nothing of the user's is connected; unknown for an id
Enode names but the user does not have.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
)

from .api import Asset, AssetType, Charger, Vehicle
from .devices import async_shown_name
from .entity import EnodeEntity

if TYPE_CHECKING:
    from .models import EnodeConfigEntry

NOT_CONNECTED: Final = "none"


@dataclass(frozen=True, kw_only=True)
class EnodePairingSensorEntityDescription(SensorEntityDescription):
    """Names the asset of `partner_type` whose id `paired_id_fn` reads."""

    partner_type: AssetType
    key_name: str  # the chargeState key that carries the pairing (its presence = supported)
    paired_id_fn: Callable[[Asset], str | None]


PLUGGED_IN_CHARGER = EnodePairingSensorEntityDescription(
    key="plugged_in_charger",
    translation_key="plugged_in_charger",
    device_class=SensorDeviceClass.ENUM,
    partner_type=AssetType.CHARGER,
    key_name="pluggedInChargerId",
    paired_id_fn=lambda asset: (
        asset.charge_state.plugged_in_charger_id
        if isinstance(asset, Vehicle) and asset.charge_state
        else None
    ),
)
PLUGGED_IN_VEHICLE = EnodePairingSensorEntityDescription(
    key="plugged_in_vehicle",
    translation_key="plugged_in_vehicle",
    device_class=SensorDeviceClass.ENUM,
    partner_type=AssetType.VEHICLE,
    key_name="pluggedInVehicleId",
    paired_id_fn=lambda asset: (
        asset.charge_state.plugged_in_vehicle_id
        if isinstance(asset, Charger) and asset.charge_state
        else None
    ),
)
PAIRING_SENSORS: Final = {
    AssetType.VEHICLE: PLUGGED_IN_CHARGER,
    AssetType.CHARGER: PLUGGED_IN_VEHICLE,
}


def pairing_description(asset: Asset) -> EnodePairingSensorEntityDescription | None:
    """The pairing sensor of a vehicle or charger whose data carries the pairing field."""
    description = PAIRING_SENSORS.get(asset.asset_type)
    charge_state = asset.raw.get("chargeState")
    if description is None or not isinstance(charge_state, dict):
        return None
    # Older API versions and vendors without EV charger pairing leave the key out.
    return description if description.key_name in charge_state else None


def pairing_sensors(entry: EnodeConfigEntry, asset: Asset) -> list[EnodeEntity]:
    """The pairing sensor of an asset, if it has one."""
    description = pairing_description(asset)
    return [] if description is None else [EnodePairingSensor(entry, asset, description)]


class EnodePairingSensor(EnodeEntity, SensorEntity):
    """The name of the device this one is plugged into (or `none`)."""

    entity_description: EnodePairingSensorEntityDescription

    def _name_of(self, asset: Asset) -> str:
        """The device's name as the user sees it (their rename first)."""
        return async_shown_name(self.hass, self.coordinator.config_entry.entry_id, asset)

    @property
    def options(self) -> list[str]:
        """Every device the asset could be paired with, and none."""
        partner = self.entity_description.partner_type
        names = {self._name_of(asset) for asset in self.coordinator.data.of_type(partner)}
        return [*sorted(names - {NOT_CONNECTED}), NOT_CONNECTED]

    @property
    def native_value(self) -> str | None:
        """The paired device's name; none while not paired; unknown for a foreign id."""
        asset = self.asset
        if asset is None:
            return None
        paired_id = self.entity_description.paired_id_fn(asset)
        if paired_id is None:
            return NOT_CONNECTED
        partner = self.coordinator.data.assets.get(paired_id)
        if partner is None or partner.asset_type is not self.entity_description.partner_type:
            return None
        return self._name_of(partner)
