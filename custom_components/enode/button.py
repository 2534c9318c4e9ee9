"""Refresh buttons: ask Enode to fetch an asset's state from the vendor now."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.const import EntityCategory

from .api import AssetType
from .entity import EnodeEntity, async_add_asset_entities
from .helpers import async_call_enode

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .models import EnodeConfigEntry

PARALLEL_UPDATES = 1

# Asset types with a refresh-hint endpoint (HEM systems have none).
REFRESHABLE = frozenset(
    {
        AssetType.VEHICLE,
        AssetType.CHARGER,
        AssetType.BATTERY,
        AssetType.HVAC,
        AssetType.INVERTER,
        AssetType.METER,
    }
)

REFRESH = ButtonEntityDescription(
    key="refresh", translation_key="refresh", entity_category=EntityCategory.DIAGNOSTIC
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EnodeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up a refresh button for every asset that supports refresh hints."""
    async_add_asset_entities(
        entry,
        async_add_entities,
        lambda asset: (
            [EnodeRefreshButton(entry, asset, REFRESH)] if asset.asset_type in REFRESHABLE else []
        ),
    )


class EnodeRefreshButton(EnodeEntity, ButtonEntity):
    """Sends a refresh hint; the new state arrives by webhook or the next poll."""

    async def async_press(self) -> None:
        """Send the refresh hint."""
        await async_call_enode(
            self.hass,
            self.entry,
            self.coordinator.client.refresh_hint(self.asset_type, self.asset_id),
        )
