"""Vehicle location, when the user shared it (the vehicle:read:location scope)."""

from __future__ import annotations

from typing import TYPE_CHECKING

# Re-exported from the package (and only there from 2026.6 on); older releases lack __all__.
from homeassistant.components.device_tracker import (  # type: ignore[attr-defined]
    TrackerEntity,
    TrackerEntityDescription,
)

from .api import Asset, Vehicle
from .const import LOCATION_SCOPES
from .entity import EnodeEntity, async_add_asset_entities

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .models import EnodeConfigEntry

PARALLEL_UPDATES = 0

LOCATION = TrackerEntityDescription(key="location", translation_key="location")


def has_location(asset: Asset) -> bool:
    """A vehicle whose location scope was granted and that reports coordinates."""
    return (
        isinstance(asset, Vehicle)
        and LOCATION_SCOPES["vehicle"] in asset.scopes
        and asset.location is not None
        and asset.location.latitude is not None
        and asset.location.longitude is not None
    )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EnodeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up a tracker for every vehicle with a shared location."""
    async_add_asset_entities(
        entry,
        async_add_entities,
        lambda asset: [EnodeVehicleTracker(entry, asset, LOCATION)] if has_location(asset) else [],
    )


class EnodeVehicleTracker(EnodeEntity, TrackerEntity):
    """Where the vehicle is, as Enode last reported it."""

    # Where the car is belongs on dashboards and maps: a primary entity, not the diagnostic
    # one Home Assistant's tracker base class makes it by default.
    _attr_entity_category = None  # type: ignore[assignment]

    @property
    def latitude(self) -> float | None:
        """Latitude of the vehicle."""
        asset = self.asset
        return asset.location.latitude if asset and asset.location else None

    @property
    def longitude(self) -> float | None:
        """Longitude of the vehicle."""
        asset = self.asset
        return asset.location.longitude if asset and asset.location else None
