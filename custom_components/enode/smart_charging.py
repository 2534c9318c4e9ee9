"""Smart charging commands and lookups: status, Location, policy changes, overrides."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .api import (
    Action,
    EnodeNotSupportedError,
    Location,
    SmartChargingStatus,
    SmartOverride,
    Vehicle,
)
from .const import DOMAIN
from .devices import device_name

if TYPE_CHECKING:
    from .entity import EnodeEntity

CHARGE_NOW = "charge_now"  # the switch's key, and the value key of its pending action


def smart_status(entity: EnodeEntity) -> SmartChargingStatus | None:
    """The vehicle's smart charging status as the coordinator holds it."""
    data = entity.coordinator.data
    return data.smart.get(entity.asset_id) if data else None


def vehicle_location(entity: EnodeEntity) -> Location | None:
    """The Location the vehicle is at (where its deadline is read), when Enode names one."""
    asset, data = entity.asset, entity.coordinator.data
    if not isinstance(asset, Vehicle) or asset.location is None or data is None:
        return None
    return data.locations.get(asset.location.id or "")


async def async_set_policy(entity: EnodeEntity, command: str, **fields: Any) -> None:
    """Send a policy change (a synchronous PUT) and show it once Enode confirms it.

    A refusal raises the translated error (one message per 400 cause) and fires
    ``enode_action_failed`` like any refused command.
    """
    runtime = entity.entry.runtime_data
    policy = await entity.async_call_reported(
        command, runtime.client.set_vehicle_smart_charging_policy(entity.asset_id, **fields)
    )
    runtime.coordinator.async_apply_policy(entity.asset_id, policy)


async def async_set_override(entity: EnodeEntity, on: bool) -> None:
    """Start or end a smart override ("Charge now") and remember it until a status follows."""
    runtime = entity.entry.runtime_data
    client = runtime.client
    request = (
        client.create_smart_override(entity.asset_type, entity.asset_id)
        if on
        else client.end_smart_override(entity.asset_type, entity.asset_id)
    )
    command = "start_smart_override" if on else "end_smart_override"
    try:
        override = await entity.async_call_reported(command, request)
    except HomeAssistantError as err:
        if isinstance(err.__cause__, EnodeNotSupportedError):
            # No route for this asset (a charger on 2024-10-01): never ask again this run.
            asset = entity.asset
            name = device_name(asset) if asset is not None else entity.asset_id
            runtime.coordinator.async_mark_no_override(entity.asset_id)
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="charge_now_not_supported",
                translation_placeholders={"device": name},
            ) from err
        raise
    if on and override.vendor_action_id:
        # The override is carried out by a charge action: show "on" while it is pending, and
        # report it like any command if it fails (ActionTracker).
        action = Action.from_dict(
            {"id": override.vendor_action_id, "state": "PENDING", "kind": "START"}
        )
        runtime.actions.async_track(
            action,
            asset_type=entity.asset_type,
            asset_id=entity.asset_id,
            command=command,
            value_key=CHARGE_NOW,
            target=True,
        )
    if not on and override.ended_at is None:
        # [?] SMART.md 3.2: that DELETE answers with endedAt set is inferred; it has ended.
        override = SmartOverride(**{**_fields(override), "ended_at": dt_util.utcnow()})
    runtime.coordinator.async_apply_override(entity.asset_id, override)


def _fields(override: SmartOverride) -> dict[str, Any]:
    return {name: getattr(override, name) for name in SmartOverride.__dataclass_fields__}
