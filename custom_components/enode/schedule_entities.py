"""Schedule entities: per schedule, an enable switch and a status sensor on its target's device.

Schedules come and go independently of assets (created here, in another Enode app, deleted
anywhere), so they have their own dynamic setup: entities are added when the coordinator first
holds a schedule and their registry entries are removed when it no longer does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
)
from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import EntityDescription

from .api import Schedule, ScheduleState, ScheduleStatus
from .entity import EnodeEntity
from .helpers import async_call_enode

if TYPE_CHECKING:
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .models import EnodeConfigEntry

# Sensor options: the Enode state in lower case with ':' as '_'; a state a newer API adds
# is reported as unknown.
SCHEDULE_STATES = [state.value.lower().replace(":", "_") for state in ScheduleState]


@dataclass(frozen=True, kw_only=True)
class EnodeScheduleSwitchDescription(SwitchEntityDescription):
    """Describes a schedule switch."""

    value_fn: Callable[[Schedule], bool | None]


@dataclass(frozen=True, kw_only=True)
class EnodeScheduleSensorDescription(SensorEntityDescription):
    """Describes a schedule status sensor."""

    value_fn: Callable[[ScheduleStatus], str | None]


def _state(status: ScheduleStatus) -> str | None:
    if not isinstance(status.state, str):
        return None
    value = status.state.lower().replace(":", "_")
    return value if value in SCHEDULE_STATES else None


SCHEDULE_SWITCH = EnodeScheduleSwitchDescription(
    key="schedule", translation_key="schedule", value_fn=lambda schedule: schedule.is_enabled
)
SCHEDULE_STATUS = EnodeScheduleSensorDescription(
    key="schedule_status",
    translation_key="schedule_status",
    device_class=SensorDeviceClass.ENUM,
    options=SCHEDULE_STATES,
    entity_category=EntityCategory.DIAGNOSTIC,
    value_fn=_state,
)


class EnodeScheduleEntity(EnodeEntity):
    """An entity of one schedule, on the device of the schedule's target."""

    def __init__(
        self,
        entry: EnodeConfigEntry,
        schedule: Schedule,
        index: int,
        description: EntityDescription,
    ) -> None:
        """Attach to the target's device; Enode has no schedule names, so number them."""
        coordinator = entry.runtime_data.coordinator
        asset = coordinator.data.assets[str(schedule.target_id)]
        super().__init__(entry, asset, description)
        self.schedule_id = schedule.id
        self._attr_unique_id = f"{schedule.target_id}_{description.key}_{schedule.id}"
        self._attr_translation_placeholders = {"index": str(index)}

    @property
    def schedule(self) -> Schedule | None:
        """The schedule as the coordinator holds it now."""
        data = self.coordinator.data
        return data.schedules.schedules.get(self.schedule_id) if data else None

    @property
    def available(self) -> bool:
        """Available like any entity of the asset, while the schedule exists."""
        return super().available and self.schedule is not None

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The schedule id, for enode.update_schedule and enode.delete_schedule."""
        return {"schedule_id": self.schedule_id}


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


class EnodeScheduleStatusSensor(EnodeScheduleEntity, SensorEntity):
    """What the schedule is doing (``ScheduleState``)."""

    entity_description: EnodeScheduleSensorDescription

    @property
    def native_value(self) -> str | None:
        """The state of the latest status (pushed or polled)."""
        data = self.coordinator.data
        status = data.schedules.statuses.get(self.schedule_id) if data else None
        return None if status is None else self.entity_description.value_fn(status)


@callback
def async_add_schedule_entities(
    entry: EnodeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    build: Callable[[Schedule, int], EnodeScheduleEntity],
) -> None:
    """Add an entity per schedule now and as schedules appear; remove those that vanish."""
    coordinator = entry.runtime_data.coordinator
    known: dict[str, EnodeScheduleEntity] = {}

    @callback
    def _sync() -> None:
        data = coordinator.data
        held = data.schedules.schedules if data else {}
        for gone in known.keys() - held.keys():
            entity = known.pop(gone)
            registry = er.async_get(entry.runtime_data.coordinator.hass)
            if entity.entity_id and registry.async_get(entity.entity_id) is not None:
                registry.async_remove(entity.entity_id)
        new: list[EnodeScheduleEntity] = []
        for schedule in held.values():
            if schedule.id in known or data is None or schedule.target_id not in data.assets:
                continue
            index = data.schedules.of_target(str(schedule.target_id)).index(schedule) + 1
            known[schedule.id] = entity = build(schedule, index)
            new.append(entity)
        if new:
            async_add_entities(new)

    _sync()
    entry.async_on_unload(coordinator.async_add_listener(_sync))


@callback
def async_setup_schedule_switches(
    entry: EnodeConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Called from switch.py: a switch per schedule."""
    async_add_schedule_entities(
        entry,
        async_add_entities,
        lambda schedule, index: EnodeScheduleSwitch(entry, schedule, index, SCHEDULE_SWITCH),
    )


@callback
def async_setup_schedule_sensors(
    entry: EnodeConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Called from sensor.py: a status sensor per schedule."""
    async_add_schedule_entities(
        entry,
        async_add_entities,
        lambda schedule, index: EnodeScheduleStatusSensor(entry, schedule, index, SCHEDULE_STATUS),
    )
