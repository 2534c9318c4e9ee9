"""Base entities of the integration (per asset, per schedule) and the one dynamic add helper."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import Asset, Schedule
from .const import (
    CONF_MAX_CHARGE_CURRENT,
    DEFAULT_MAX_CHARGE_CURRENT,
    DOMAIN,
    LOGGER,
    SIGNAL_OVERLAY_CHANGED,
)
from .coordinator import EnodeCoordinator, EnodeSnapshot
from .helpers import async_call_enode

if TYPE_CHECKING:
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .api import Action
    from .models import EnodeConfigEntry

# Descriptions are contravariant in the asset: one for any asset fits a list for vehicles.
AssetT_contra = TypeVar("AssetT_contra", bound=Asset, contravariant=True)


class EnodeEntity(CoordinatorEntity[EnodeCoordinator]):
    """An entity of one Enode asset.

    Stays available while the coordinator has data and the asset exists: an unreachable device
    keeps its last values (its Reachable and Last seen entities say so). A control entity also
    needs its capabilities; when one turns false, the entity becomes unavailable and the reason
    is logged once.
    """

    _attr_has_entity_name = True

    def __init__(
        self,
        entry: EnodeConfigEntry,
        asset: Asset,
        description: EntityDescription,
        capabilities: Iterable[str] = (),
    ) -> None:
        """Attach the entity to the asset's device."""
        super().__init__(entry.runtime_data.coordinator)
        self.entry = entry
        self.asset_id = asset.id
        self.asset_type = asset.asset_type
        self.entity_description = description
        self.required_capabilities = tuple(capabilities)
        self._attr_unique_id = f"{asset.id}_{description.key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, asset.id)})
        self._capable = self._check_capabilities(asset)

    @property
    def asset(self) -> Asset | None:
        """The asset as the coordinator holds it now (None when it is gone or of another type)."""
        data = self.coordinator.data
        asset = data.assets.get(self.asset_id) if data else None
        # Never hand a vehicle entity a charger: its attributes would not be there.
        return asset if asset is not None and asset.asset_type is self.asset_type else None

    @property
    def available(self) -> bool:
        """Available while the coordinator says its data is current and the asset is capable."""
        return self.coordinator.data_is_current and self.asset is not None and self._capable

    def _check_capabilities(self, asset: Asset | None) -> bool:
        if asset is None:
            return True
        lost = [name for name in self.required_capabilities if not asset.is_capable(name)]
        capable = not lost
        if not capable and getattr(self, "_capable", True):
            LOGGER.info(
                "%s is unavailable: Enode reports %s %s no longer capable of %s",
                self.entity_id or self.unique_id,
                asset.asset_type,
                asset.id,
                ", ".join(lost),
            )
        return capable

    @callback
    def _handle_coordinator_update(self) -> None:
        self._capable = self._check_capabilities(self.asset)
        super()._handle_coordinator_update()

    async def async_added_to_hass(self) -> None:
        """Also re-render when a pending command on this asset starts or ends."""
        await super().async_added_to_hass()
        signal = SIGNAL_OVERLAY_CHANGED.format(entry_id=self.entry.entry_id, asset_id=self.asset_id)
        self.async_on_remove(async_dispatcher_connect(self.hass, signal, self.async_write_ha_state))

    def requested(self, value_key: str, polled: Any) -> Any:
        """The value a pending command requested, or else the polled value."""
        pending, value = self.entry.runtime_data.actions.requested(self.asset_id, value_key)
        return value if pending else polled

    @property
    def max_charge_current(self) -> int:
        """The user's highest selectable charge current (Enode reports no maximum)."""
        return int(self.entry.options.get(CONF_MAX_CHARGE_CURRENT, DEFAULT_MAX_CHARGE_CURRENT))

    async def async_call_reported[T](self, command: str, request: Awaitable[T]) -> T:
        """Await a command's request; a refusal is raised translated and fires the event.

        The one path of a refused command (a control, a policy change, an override): the
        caller sees the error and ``enode_action_failed`` lets automations see it too.
        """
        try:
            return await async_call_enode(self.hass, self.entry, request)
        except HomeAssistantError as err:
            await self.entry.runtime_data.actions.async_report_rejected(
                asset_type=self.asset_type, asset_id=self.asset_id, command=command, error=err
            )
            raise

    async def async_send_command(
        self,
        command: str,
        value_key: str,
        target: Any,
        request: Awaitable[Action],
        agrees: Callable[[Asset], bool] | None = None,
    ) -> None:
        """Send a control to Enode and show the requested value while its action is pending.

        A command Enode refuses at once (or that cannot reach Enode) raises the translated error
        to the caller and fires ``enode_action_failed`` like an action that fails later.
        ``agrees`` tells whether the asset's data shows ``target`` (actions.py holds it until then).
        """
        action = await self.async_call_reported(command, request)
        self.entry.runtime_data.actions.async_track(
            action,
            asset_type=self.asset_type,
            asset_id=self.asset_id,
            command=command,
            value_key=value_key,
            target=target,
            agrees=agrees,
        )


@callback
def async_follow_entities[T](
    entry: EnodeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    items: Callable[[EnodeSnapshot], Mapping[str, T]],
    build: Callable[[T], Iterable[EnodeEntity]],
    *,
    remove_gone: bool = False,
) -> None:
    """The one dynamic add/remove helper: entities follow the coordinator's items by id.

    Entities are added for every item now and whenever one appears (or changes, so a
    capability that turns up adds its entity). A gone item is forgotten, so it gets entities
    again if it comes back; ``remove_gone`` also removes its entities' registry entries (for
    items that are no device of their own, like schedules; devices.py removes the others).
    """
    coordinator = entry.runtime_data.coordinator
    known: dict[str, dict[str, EnodeEntity]] = {}  # item id -> unique id -> entity
    # The object each id was last built from: this runs on every delivery, and only items that
    # changed since (a new object) can need new entities.
    built_from: dict[str, T] = {}

    @callback
    def _follow() -> None:
        current = items(coordinator.data)
        for gone in known.keys() - current.keys():
            built_from.pop(gone, None)
            for entity in known.pop(gone).values():
                registry = er.async_get(coordinator.hass)
                if remove_gone and entity.entity_id and registry.async_get(entity.entity_id):
                    registry.async_remove(entity.entity_id)
        new: list[EnodeEntity] = []
        for item_id, item in current.items():
            if built_from.get(item_id) is item:
                continue
            built_from[item_id] = item
            seen = known.setdefault(item_id, {})
            for entity in build(item):
                if entity.unique_id not in seen:
                    seen[str(entity.unique_id)] = entity
                    new.append(entity)
        if new:
            async_add_entities(new)

    _follow()
    entry.async_on_unload(coordinator.async_add_listener(_follow))


@callback
def async_add_asset_entities(
    entry: EnodeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    build: Callable[[Asset], Iterable[EnodeEntity]],
) -> None:
    """Entities of every asset, now and for assets (or capabilities) that appear later."""
    async_follow_entities(entry, async_add_entities, lambda data: data.assets, build)


def _schedules(data: EnodeSnapshot) -> dict[str, Schedule]:
    """The schedules whose target the coordinator holds (their entities sit on its device)."""
    held = data.schedules.schedules
    return {key: s for key, s in held.items() if str(s.target_id) in data.assets}


@callback
def async_add_schedule_entities(
    entry: EnodeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    build: Callable[[Schedule], EnodeEntity],
) -> None:
    """An entity per schedule: added as schedules appear, removed when they vanish.

    Schedules come and go independently of assets (made here, in another Enode app, deleted
    anywhere), so their registry entries go with them.
    """
    async_follow_entities(
        entry, async_add_entities, _schedules, lambda schedule: [build(schedule)], remove_gone=True
    )


class EnodeScheduleEntity(EnodeEntity):
    """An entity of one schedule, on the device of the schedule's target."""

    def __init__(
        self, entry: EnodeConfigEntry, schedule: Schedule, description: EntityDescription
    ) -> None:
        """Attach to the target's device; Enode has no schedule names, so number them."""
        data = entry.runtime_data.coordinator.data
        target = str(schedule.target_id)
        super().__init__(entry, data.assets[target], description)
        self.schedule_id = schedule.id
        self._attr_unique_id = f"{schedule.target_id}_{description.key}_{schedule.id}"
        index = data.schedules.of_target(target).index(schedule) + 1
        self._attr_translation_placeholders = {"index": str(index)}

    @property
    def schedule(self) -> Schedule | None:
        """The schedule as the coordinator holds it now."""
        return self.coordinator.data.schedules.schedules.get(self.schedule_id)

    @property
    def available(self) -> bool:
        """Available like any entity of the asset, while the schedule exists."""
        return super().available and self.schedule is not None

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The schedule id, for enode.update_schedule and enode.delete_schedule."""
        return {"schedule_id": self.schedule_id}
