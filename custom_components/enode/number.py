"""Numbers: max charging current, a charger's charge rate limit, smart charging's minimum."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfElectricCurrent, UnitOfPower
from homeassistant.exceptions import ServiceValidationError

from .api import Action, Asset, AssetType, Charger, EnodeClient, Vehicle
from .const import DOMAIN
from .coordinator import is_smart_capable
from .entity import EnodeEntity, async_add_asset_entities
from .helpers import format_number, validate_setting
from .smart_charging import async_set_policy

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .models import EnodeConfigEntry

PARALLEL_UPDATES = 1

# Enode reports no limits: the lowest current IEC 61851 allows, and the user's maximum.
MIN_CHARGER_CURRENT = 6
MIN_VEHICLE_CURRENT = 5
# A charge rate limit's ceiling: the user's maximum current on three phases at 230 V.
VOLTS = 230
PHASES = 3
MIN_CHARGE_RATE_LIMIT = 1.0


@dataclass(frozen=True, kw_only=True)
class EnodeNumberEntityDescription(NumberEntityDescription):
    """Describes an Enode number: value, limits, the command it sends and its capability."""

    value_fn: Callable[[Vehicle | Charger], float | None]
    max_fn: Callable[[int], float]  # from the user's maximum charge current
    set_fn: Callable[[EnodeClient, AssetType, str, float], Awaitable[Action]]
    exists_fn: Callable[[Vehicle | Charger], bool] = lambda _: True
    capability: str
    command: str


def _max_current(amps: int) -> float:
    return amps  # whole amperes: shown (and in Home Assistant's range errors) as 32, not 32.0


def _max_charge_rate_limit(amps: int) -> float:
    return round(amps * VOLTS * PHASES / 1000, 1)


def _max_current_description(min_amps: int) -> EnodeNumberEntityDescription:
    return EnodeNumberEntityDescription(
        key="max_current",
        translation_key="max_current",
        device_class=NumberDeviceClass.CURRENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        native_min_value=min_amps,
        native_step=1,
        mode=NumberMode.BOX,
        value_fn=lambda asset: asset.charge_state.max_current if asset.charge_state else None,
        max_fn=_max_current,
        set_fn=lambda client, kind, asset_id, amps: client.set_max_current(kind, asset_id, amps),
        capability="setMaxCurrent",
        command="set_max_current",
    )


CHARGE_RATE_LIMIT = EnodeNumberEntityDescription(
    key="charge_rate_limit",
    translation_key="charge_rate_limit",
    device_class=NumberDeviceClass.POWER,
    native_unit_of_measurement=UnitOfPower.KILO_WATT,
    native_min_value=MIN_CHARGE_RATE_LIMIT,
    native_step=0.1,
    mode=NumberMode.BOX,
    value_fn=lambda asset: asset.charge_state.charge_rate_limit if asset.charge_state else None,
    max_fn=_max_charge_rate_limit,
    set_fn=lambda client, _kind, asset_id, kw: client.set_charge_rate_limit(asset_id, kw),
    # Only chargers that report a limit get the control (an Early Adopter feature).
    exists_fn=lambda asset: (
        asset.charge_state is not None and asset.charge_state.charge_rate_limit is not None
    ),
    capability="setChargeRateLimit",
    command="set_charge_rate_limit",
)

NUMBERS: dict[AssetType, tuple[EnodeNumberEntityDescription, ...]] = {
    AssetType.VEHICLE: (_max_current_description(MIN_VEHICLE_CURRENT),),
    AssetType.CHARGER: (_max_current_description(MIN_CHARGER_CURRENT), CHARGE_RATE_LIMIT),
}


@dataclass(frozen=True, kw_only=True)
class EnodeSmartNumberEntityDescription(NumberEntityDescription):
    """A smart charging policy number: a synchronous PUT, shown once Enode confirms."""

    value_fn: Callable[[Vehicle], float | None]
    max_fn: Callable[[Vehicle], float | None]  # None: no ceiling known
    set_fn: Callable[[EnodeEntity, float], Awaitable[None]]
    exists_fn: Callable[[Asset], bool]


MINIMUM_CHARGE_LEVEL = EnodeSmartNumberEntityDescription(
    key="minimum_charge_level",
    translation_key="minimum_charge_level",
    entity_category=EntityCategory.CONFIG,  # set once, like the charge limit in the car's app
    native_unit_of_measurement=PERCENTAGE,
    native_min_value=0,
    native_max_value=100,
    native_step=1,
    mode=NumberMode.SLIDER,
    value_fn=lambda v: (
        v.smart_charging_policy.minimum_charge_limit if v.smart_charging_policy else None
    ),
    max_fn=lambda v: v.charge_state.charge_limit if v.charge_state else None,
    set_fn=lambda entity, value: async_set_policy(
        entity, "set_minimum_charge_level", minimum_charge_limit=value
    ),
    exists_fn=is_smart_capable,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EnodeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the numbers of every capable vehicle and charger."""

    def build(asset: Asset) -> list[EnodeEntity]:
        entities: list[EnodeEntity] = [
            EnodeNumberEntity(entry, asset, description, (description.capability,))
            for description in NUMBERS.get(asset.asset_type, ())
            if isinstance(asset, Vehicle | Charger)
            and asset.is_capable(description.capability)
            and description.exists_fn(asset)
        ]
        if MINIMUM_CHARGE_LEVEL.exists_fn(asset):
            entities.append(
                EnodeSmartNumberEntity(entry, asset, MINIMUM_CHARGE_LEVEL, ("smartCharging",))
            )
        return entities

    async_add_asset_entities(entry, async_add_entities, build)


class EnodeNumberEntity(EnodeEntity, NumberEntity):
    """Sets a charging limit; shows the requested value while Enode carries it out."""

    entity_description: EnodeNumberEntityDescription

    @property
    def native_max_value(self) -> float:
        """The ceiling follows the user's highest selectable charge current (an option)."""
        return self.entity_description.max_fn(self.max_charge_current)

    @property
    def native_value(self) -> float | None:
        """The requested value while an action is pending, else the reported one."""
        asset = self.asset
        polled = (
            self.entity_description.value_fn(asset)
            if isinstance(asset, Vehicle | Charger)
            else None
        )
        value: float | None = self.requested(self.entity_description.key, polled)
        if value is None:
            return None
        # One value type whether pending or confirmed (Enode may send 10 where we asked 10.0):
        # otherwise one command makes two state changes ("10", then "10.0").
        if (self.native_step or 1.0) >= 1 and float(value).is_integer():
            return int(value)  # whole amperes read 16 A, not 16.0 A
        return float(value)

    async def async_set_native_value(self, value: float) -> None:
        """Validate range and step, then send the command."""
        step = self.native_step or 1.0
        validate_setting(value, self.native_min_value, self.native_max_value, step)
        description = self.entity_description
        target: float = int(value) if step >= 1 else round(value, 1)
        await self.async_send_command(
            description.command,
            description.key,
            target,
            description.set_fn(self.coordinator.client, self.asset_type, self.asset_id, target),
            # Held until the asset reports the new limit (no flip-back while polling).
            agrees=lambda asset: (
                isinstance(asset, Vehicle | Charger) and description.value_fn(asset) == target
            ),
        )


class EnodeSmartNumberEntity(EnodeEntity, NumberEntity):
    """Minimum charge level of smart charging: charged at once up to it, whatever the price."""

    entity_description: EnodeSmartNumberEntityDescription

    @property
    def native_value(self) -> float | None:
        """The level Enode last confirmed."""
        asset = self.asset
        if not isinstance(asset, Vehicle):
            return None
        value = self.entity_description.value_fn(asset)
        return None if value is None else int(value) if float(value).is_integer() else value

    async def async_set_native_value(self, value: float) -> None:
        """Refuse a level above the vehicle's charge limit before anything reaches Enode."""
        asset = self.asset
        limit = self.entity_description.max_fn(asset) if isinstance(asset, Vehicle) else None
        if limit is not None and value > limit:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="minimum_above_charge_limit",
                translation_placeholders={
                    "value": format_number(value),
                    "charge_limit": format_number(limit),
                },
            )
        validate_setting(value, self.native_min_value, self.native_max_value, 1)
        await self.entity_description.set_fn(self, int(value))
