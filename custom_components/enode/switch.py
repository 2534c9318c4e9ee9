"""Charging switches of vehicles and chargers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription

from .api import Action, AssetType, Charger, EnodeClient, Vehicle
from .entity import EnodeEntity, async_add_asset_entities
from .schedule_entities import async_setup_schedule_switches

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .models import EnodeConfigEntry

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class EnodeSwitchEntityDescription(SwitchEntityDescription):
    """Describes an Enode switch: its value, the command it sends and its capabilities."""

    value_fn: Callable[[Vehicle | Charger], bool | None]
    set_fn: Callable[[EnodeClient, AssetType, str, bool], Awaitable[Action]]
    value_key: str
    commands: tuple[str, str]  # (on, off): names in notifications and events
    capabilities: tuple[str, ...]


CHARGING = EnodeSwitchEntityDescription(
    key="charging",
    translation_key="charging",
    value_fn=lambda asset: asset.charge_state.is_charging if asset.charge_state else None,
    set_fn=lambda client, asset_type, asset_id, on: client.set_charging(asset_type, asset_id, on),
    value_key="charging",
    commands=("start_charging", "stop_charging"),
    capabilities=("startCharging", "stopCharging"),
)

SWITCHES: dict[AssetType, tuple[EnodeSwitchEntityDescription, ...]] = {
    AssetType.VEHICLE: (CHARGING,),
    AssetType.CHARGER: (CHARGING,),
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EnodeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up a charging switch for every capable vehicle and charger."""
    async_add_asset_entities(
        entry,
        async_add_entities,
        lambda asset: (
            EnodeSwitchEntity(entry, asset, description, description.capabilities)
            for description in SWITCHES.get(asset.asset_type, ())
            if all(asset.is_capable(name) for name in description.capabilities)
        ),
    )
    async_setup_schedule_switches(entry, async_add_entities)


class EnodeSwitchEntity(EnodeEntity, SwitchEntity):
    """Starts and stops charging; shows the requested state while Enode carries it out."""

    entity_description: EnodeSwitchEntityDescription

    @property
    def is_on(self) -> bool | None:
        """The requested state while an action is pending, else the reported one."""
        asset = self.asset
        polled = (
            self.entity_description.value_fn(asset)
            if isinstance(asset, Vehicle | Charger)
            else None
        )
        value = self.requested(self.entity_description.value_key, polled)
        return None if value is None else bool(value)

    async def _async_set(self, on: bool) -> None:
        description = self.entity_description
        await self.async_send_command(
            description.commands[0 if on else 1],
            description.value_key,
            on,
            description.set_fn(self.coordinator.client, self.asset_type, self.asset_id, on),
        )

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Start charging."""
        await self._async_set(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop charging."""
        await self._async_set(False)
