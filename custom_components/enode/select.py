"""Battery operation mode select."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.exceptions import ServiceValidationError

from .api import Action, Battery, BatteryOperationMode, EnodeClient
from .const import DOMAIN
from .entity import EnodeEntity, async_add_asset_entities

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .models import EnodeConfigEntry

PARALLEL_UPDATES = 1

# Battery capability -> the operation mode it allows (UNKNOWN is read-only and never offered).
MODE_CAPABILITIES: dict[str, BatteryOperationMode] = {
    "importFocus": BatteryOperationMode.IMPORT_FOCUS,
    "exportFocus": BatteryOperationMode.EXPORT_FOCUS,
    "timeOfUse": BatteryOperationMode.TIME_OF_USE,
    "selfReliance": BatteryOperationMode.SELF_RELIANCE,
    "idle": BatteryOperationMode.IDLE,
}


def capable_modes(battery: Battery) -> list[str]:
    """The options of a battery: every mode it is capable of, in a stable order."""
    return [
        mode.value.lower()
        for capability, mode in MODE_CAPABILITIES.items()
        if battery.is_capable(capability)
    ]


@dataclass(frozen=True, kw_only=True)
class EnodeSelectEntityDescription(SelectEntityDescription):
    """Describes an Enode select: current option, options and the command it sends."""

    value_fn: Callable[[Battery], str | None]
    options_fn: Callable[[Battery], list[str]]
    set_fn: Callable[[EnodeClient, str, str], Awaitable[Action]]
    command: str


OPERATION_MODE = EnodeSelectEntityDescription(
    key="operation_mode",
    translation_key="operation_mode",
    value_fn=lambda b: (
        str(b.config.operation_mode).lower()
        if b.config and b.config.operation_mode is not None
        else None
    ),
    options_fn=capable_modes,
    set_fn=lambda client, battery_id, option: client.set_battery_operation_mode(
        battery_id, option.upper()
    ),
    command="set_operation_mode",
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EnodeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the operation mode select of every battery capable of at least one mode."""
    async_add_asset_entities(
        entry,
        async_add_entities,
        lambda asset: (
            [EnodeSelectEntity(entry, asset, OPERATION_MODE)]
            if isinstance(asset, Battery) and OPERATION_MODE.options_fn(asset)
            else []
        ),
    )


class EnodeSelectEntity(EnodeEntity, SelectEntity):
    """Sets a battery's operation mode; shows the requested mode while it is pending."""

    entity_description: EnodeSelectEntityDescription

    @property
    def available(self) -> bool:
        """Unavailable once the battery is capable of no mode at all."""
        return super().available and bool(self.options)

    @property
    def options(self) -> list[str]:
        """Exactly the modes the battery is capable of now."""
        asset = self.asset
        return self.entity_description.options_fn(asset) if isinstance(asset, Battery) else []

    @property
    def current_option(self) -> str | None:
        """The requested mode while pending, else the reported one (UNKNOWN shows as unknown)."""
        asset = self.asset
        polled = self.entity_description.value_fn(asset) if isinstance(asset, Battery) else None
        value = self.requested(self.entity_description.key, polled)
        return value if isinstance(value, str) and value in self.options else None

    async def async_select_option(self, option: str) -> None:
        """Send the mode, refusing modes the battery is not capable of."""
        options = self.options
        if option not in options:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_operation_mode",
                translation_placeholders={"option": option, "options": ", ".join(options)},
            )
        await self.async_send_command(
            self.entity_description.command,
            self.entity_description.key,
            option,
            self.entity_description.set_fn(self.coordinator.client, self.asset_id, option),
            # Held until the battery reports the new mode (no flip-back while polling).
            agrees=lambda asset: (
                isinstance(asset, Battery) and self.entity_description.value_fn(asset) == option
            ),
        )
