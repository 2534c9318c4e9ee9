"""Vehicle location: only with the location scope and coordinates."""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime
from unittest.mock import patch

from homeassistant.const import ATTR_LATITUDE, ATTR_LONGITUDE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from enode_emulator import Emulator

from .conftest import DEMO_USER, asset_kinds, diagnostics, poll_now
from .platform_helpers import START, VEHICLE, entity_id, settle


@pytest.fixture
def emulator_start_time() -> datetime:
    """A fixed emulator clock, so the snapshot is stable."""
    return START


@pytest.fixture(autouse=True)
def only_trackers() -> Generator[None]:
    """Set up only the device tracker platform."""
    with patch("custom_components.enode.PLATFORMS", [Platform.DEVICE_TRACKER]):
        yield


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    setup_integration: MockConfigEntry,
) -> None:
    """The demo vehicle shared its location."""
    await snapshot_platform(hass, entity_registry, snapshot, setup_integration.entry_id)


async def test_location_moves_and_scope_is_required(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Coordinates follow Enode; a vehicle without the location scope gets no tracker."""
    tracker = entity_id(entity_registry, "device_tracker", VEHICLE, "location")
    emulator.patch_asset(VEHICLE, {"location": {"latitude": 60.39, "longitude": 5.32}})
    await settle(hass, emulator, 1)
    state = hass.states.get(tracker)
    assert (state.attributes[ATTR_LATITUDE], state.attributes[ATTR_LONGITUDE]) == (60.39, 5.32)
    private = emulator.add_asset(
        DEMO_USER, {"type": "vehicle", "vendor": "VOLKSWAGEN", "scopes": ["vehicle:read:data"]}
    )["id"]
    vehicles = asset_kinds(await diagnostics(hass, setup_integration))["vehicle"]
    await poll_now(hass, tracker)
    assert asset_kinds(await diagnostics(hass, setup_integration))["vehicle"] == vehicles + 1
    assert (
        entity_registry.async_get_entity_id("device_tracker", "enode", f"{private}_location")
        is None
    )


async def test_location_is_a_primary_entity(
    hass: HomeAssistant, entity_registry: er.EntityRegistry, setup_integration: MockConfigEntry
) -> None:
    """The car's location is for dashboards and maps, not a diagnostic entity."""
    tracker = entity_id(entity_registry, "device_tracker", VEHICLE, "location")
    assert entity_registry.async_get(tracker).entity_category is None
    assert hass.states.get(tracker).attributes["friendly_name"] == "My Model 3 Location"
