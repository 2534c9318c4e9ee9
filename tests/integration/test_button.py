"""Refresh buttons send a refresh hint."""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime
from unittest.mock import patch

from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from enode_emulator import Emulator

from .conftest import rendered
from .platform_helpers import HEM, INVERTER, START, VEHICLE, control_requests, entity_id


@pytest.fixture
def emulator_start_time() -> datetime:
    """A fixed emulator clock, so the snapshot is stable."""
    return START


@pytest.fixture(autouse=True)
def only_buttons() -> Generator[None]:
    """Set up only the button platform."""
    with patch("custom_components.enode.PLATFORMS", [Platform.BUTTON]):
        yield


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    setup_integration: MockConfigEntry,
) -> None:
    """One refresh button per asset, none for the HEM system."""
    await snapshot_platform(hass, entity_registry, snapshot, setup_integration.entry_id)
    assert entity_registry.async_get_entity_id("button", "enode", f"{HEM}_refresh") is None


async def test_press_sends_refresh_hint(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Pressing sends the asset type's refresh hint; an Enode error is translated."""
    for asset_id in (VEHICLE, INVERTER):
        await hass.services.async_call(
            BUTTON_DOMAIN,
            SERVICE_PRESS,
            {ATTR_ENTITY_ID: entity_id(entity_registry, "button", asset_id, "refresh")},
            blocking=True,
        )
    assert control_requests(emulator) == [
        ("POST", f"/vehicles/{VEHICLE}/refresh-hint", 204),
        ("POST", f"/inverters/{INVERTER}/refresh-hint", 204),
    ]
    emulator.add_fault(path="*/refresh-hint", status=503, count=5)
    with pytest.raises(HomeAssistantError, match=rendered("server_error")) as err:
        await hass.services.async_call(
            BUTTON_DOMAIN,
            SERVICE_PRESS,
            {ATTR_ENTITY_ID: entity_id(entity_registry, "button", VEHICLE, "refresh")},
            blocking=True,
        )
    assert err.value.translation_key == "server_error"
