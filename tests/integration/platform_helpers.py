"""Shared helpers of the entity platform tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.enode.const import DOMAIN
from enode_emulator import Emulator

VEHICLE = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b01"
CHARGER = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b02"
BATTERY = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b03"
HVAC = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b04"
INVERTER = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b05"
METER = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b06"
HEM = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b07"
START = datetime(2025, 6, 1, 10, 0, tzinfo=UTC)
# Longer than the emulator fixture's action delay (20 s).
ACTION_SETTLES = 21


def entity_id(registry: er.EntityRegistry, domain: str, asset_id: str, key: str) -> str:
    """The entity id of an Enode entity by asset and description key."""
    found = registry.async_get_entity_id(domain, "enode", f"{asset_id}_{key}")
    assert found is not None, f"{domain} {asset_id} {key}"
    return found


def control_requests(emulator: Emulator) -> list[tuple[str, str, int]]:
    """Every control request Enode received: (method, path, status)."""
    return [
        (entry.method, entry.path, entry.status)
        for entry in emulator.request_log
        if entry.method == "POST" and not entry.path.startswith(("/oauth2", "/webhooks"))
    ]


def pending_actions(emulator: Emulator, asset_id: str) -> list[dict[str, Any]]:
    """The emulator's PENDING actions of an asset (API objects)."""
    return [
        action.data
        for action in emulator.core.actions.actions.values()
        if action.asset_id == asset_id and action.pending
    ]


async def settle(hass: HomeAssistant, emulator: Emulator, seconds: float = ACTION_SETTLES) -> None:
    """Let Enode resolve actions and deliver the webhooks, then let Home Assistant react."""
    await emulator.advance(seconds)
    await hass.async_block_till_done()


def asset_device(
    registry: dr.DeviceRegistry, entry: MockConfigEntry, asset_id: str
) -> dr.DeviceEntry | None:
    """The entry's device of an asset, looked up per entry (async_get_device is deprecated)."""
    devices = dr.async_entries_for_config_entry(registry, entry.entry_id)
    return next((d for d in devices if (DOMAIN, asset_id) in d.identifiers), None)
