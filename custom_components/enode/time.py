"""Time entities: the "Ready by" deadline of a vehicle's smart charging."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import time
from typing import TYPE_CHECKING, Any

from homeassistant.components.time import TimeEntity, TimeEntityDescription

from .api import Asset, Vehicle
from .coordinator import is_smart_capable
from .entity import EnodeEntity, async_add_asset_entities
from .smart_charging import async_set_policy, vehicle_location

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .models import EnodeConfigEntry

PARALLEL_UPDATES = 1
ATTR_TIME_ZONE = "time_zone"


def parse_deadline(value: str | None) -> time | None:
    """Enode's HH:MM deadline as a time; anything else is unknown."""
    if not value:
        return None
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        return None


def format_deadline(value: time) -> str:
    """A time as Enode's HH:MM (seconds are dropped: Enode has none)."""
    return f"{value.hour:02d}:{value.minute:02d}"


@dataclass(frozen=True, kw_only=True)
class EnodeTimeEntityDescription(TimeEntityDescription):
    """A smart charging time: read from the policy, set with a synchronous PUT."""

    value_fn: Callable[[Vehicle], time | None]
    set_fn: Callable[[EnodeEntity, time], Awaitable[None]]
    exists_fn: Callable[[Asset], bool]


READY_BY = EnodeTimeEntityDescription(
    key="ready_by",
    translation_key="ready_by",
    value_fn=lambda v: (
        parse_deadline(v.smart_charging_policy.deadline) if v.smart_charging_policy else None
    ),
    set_fn=lambda entity, value: async_set_policy(
        entity, "set_ready_by", deadline=format_deadline(value)
    ),
    exists_fn=is_smart_capable,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EnodeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up Ready by for every vehicle Enode can smart charge."""
    async_add_asset_entities(
        entry,
        async_add_entities,
        lambda asset: (
            [EnodeTimeEntity(entry, asset, READY_BY, ("smartCharging",))]
            if READY_BY.exists_fn(asset)
            else []
        ),
    )


class EnodeTimeEntity(EnodeEntity, TimeEntity):
    """The time by which smart charging should have the vehicle charged."""

    entity_description: EnodeTimeEntityDescription

    @property
    def native_value(self) -> time | None:
        """The deadline Enode last confirmed."""
        asset = self.asset
        return self.entity_description.value_fn(asset) if isinstance(asset, Vehicle) else None

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Enode reads the deadline in the Location's time zone: named when it is not ours."""
        location = vehicle_location(self)
        if location is None or location.timezone_name == self.hass.config.time_zone:
            return None
        return {ATTR_TIME_ZONE: location.timezone_name}

    async def async_set_value(self, value: time) -> None:
        """Send the new deadline; it shows once Enode confirms it."""
        await self.entity_description.set_fn(self, value)
