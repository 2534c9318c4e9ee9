"""Every switch: charging, smart charging and Charge now of vehicles and chargers; schedules."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription

from .api import Action, Asset, AssetType, Charger, EnodeClient, Schedule, Vehicle
from .coordinator import EnodeSnapshot, is_smart_capable
from .entity import (
    EnodeEntity,
    EnodeScheduleEntity,
    async_add_asset_entities,
    async_add_schedule_entities,
)
from .helpers import async_call_enode
from .smart_charging import CHARGE_NOW, async_set_override, async_set_policy

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


@dataclass(frozen=True, kw_only=True)
class EnodeSmartSwitchEntityDescription(SwitchEntityDescription):
    """A smart charging switch: synchronous Enode requests, shown once Enode answers."""

    value_fn: Callable[[Asset, EnodeSnapshot], bool | None]
    set_fn: Callable[[EnodeEntity, bool], Awaitable[None]]
    exists_fn: Callable[[Asset], bool]
    capabilities: tuple[str, ...]
    available_fn: Callable[[Asset, EnodeSnapshot], bool] = lambda _asset, _data: True


def _smart_enabled(asset: Asset, _data: EnodeSnapshot) -> bool | None:
    policy = asset.smart_charging_policy if isinstance(asset, Vehicle) else None
    return None if policy is None else policy.is_enabled


SMART_SWITCHES: tuple[EnodeSmartSwitchEntityDescription, ...] = (
    # Replaces the former "Smart charging" binary sensor (binary_sensor.py removes its entry).
    EnodeSmartSwitchEntityDescription(
        key="smart_charging",
        translation_key="smart_charging",
        value_fn=_smart_enabled,
        set_fn=lambda entity, on: async_set_policy(
            entity, "enable_smart_charging" if on else "disable_smart_charging", is_enabled=on
        ),
        exists_fn=is_smart_capable,
        capabilities=("smartCharging",),
    ),
    # On while a smart override is active: charging now despite smart charging or a schedule.
    EnodeSmartSwitchEntityDescription(
        key=CHARGE_NOW,
        translation_key="charge_now",
        value_fn=lambda asset, data: data.charge_now(asset),
        set_fn=async_set_override,
        exists_fn=lambda asset: isinstance(asset, Vehicle | Charger),
        capabilities=("startCharging",),
        available_fn=lambda asset, data: asset.id not in data.no_override,
    ),
)


@dataclass(frozen=True, kw_only=True)
class EnodeScheduleSwitchDescription(SwitchEntityDescription):
    """Describes a schedule switch."""

    value_fn: Callable[[Schedule], bool | None]


SCHEDULE_SWITCH = EnodeScheduleSwitchDescription(
    key="schedule", translation_key="schedule", value_fn=lambda schedule: schedule.is_enabled
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EnodeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up a charging switch for every capable vehicle and charger."""

    def build(asset: Asset) -> list[EnodeEntity]:
        entities: list[EnodeEntity] = [
            EnodeSwitchEntity(entry, asset, description, description.capabilities)
            for description in SWITCHES.get(asset.asset_type, ())
            if all(asset.is_capable(name) for name in description.capabilities)
        ]
        entities.extend(
            EnodeSmartSwitchEntity(entry, asset, description, description.capabilities)
            for description in SMART_SWITCHES
            if description.exists_fn(asset)
            and all(asset.is_capable(name) for name in description.capabilities)
        )
        return entities

    async_add_asset_entities(entry, async_add_entities, build)
    async_add_schedule_entities(
        entry,
        async_add_entities,
        lambda schedule: EnodeScheduleSwitch(entry, schedule, SCHEDULE_SWITCH),
    )


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
            agrees=lambda asset: (
                isinstance(asset, Vehicle | Charger) and description.value_fn(asset) is on
            ),
        )

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Start charging."""
        await self._async_set(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop charging."""
        await self._async_set(False)


class EnodeSmartSwitchEntity(EnodeEntity, SwitchEntity):
    """Smart charging on/off, and Charge now (a smart override)."""

    entity_description: EnodeSmartSwitchEntityDescription

    @property
    def available(self) -> bool:
        """Unavailable where Enode has no route for it (Charge now on a 2024-10-01 charger)."""
        asset = self.asset
        return (
            super().available
            and asset is not None
            and self.entity_description.available_fn(asset, self.coordinator.data)
        )

    @property
    def is_on(self) -> bool | None:
        """Charge now's pending action shows its request; otherwise what Enode confirmed."""
        asset = self.asset
        known = (
            None
            if asset is None
            else self.entity_description.value_fn(asset, self.coordinator.data)
        )
        value = self.requested(self.entity_description.key, known)
        return None if value is None else bool(value)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Enable smart charging, or start charging now."""
        await self.entity_description.set_fn(self, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Disable smart charging, or hand control back to smart charging or the schedule."""
        await self.entity_description.set_fn(self, False)


class EnodeScheduleSwitch(EnodeScheduleEntity, SwitchEntity):
    """Enables or disables a schedule (``isEnabled``)."""

    entity_description: EnodeScheduleSwitchDescription

    @property
    def is_on(self) -> bool | None:
        """Whether the schedule is enabled."""
        schedule = self.schedule
        return None if schedule is None else self.entity_description.value_fn(schedule)

    async def _async_set(self, on: bool) -> None:
        coordinator = self.coordinator
        updated = await async_call_enode(
            self.hass,
            self.entry,
            coordinator.client.update_schedule(self.schedule_id, {"isEnabled": on}),
        )
        coordinator.async_put_schedule(updated)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Enable the schedule (on a vehicle, Enode then disables smart charging)."""
        await self._async_set(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Disable the schedule."""
        await self._async_set(False)
