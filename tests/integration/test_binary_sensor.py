"""Binary sensors: the demo household's snapshot and state changes pushed by Enode."""

from __future__ import annotations

from collections.abc import Generator
from datetime import UTC, datetime
from unittest.mock import patch

from homeassistant.const import STATE_OFF, STATE_ON, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from enode_emulator import Emulator

from .conftest import last_update_success
from .platform_helpers import CHARGER, INVERTER, VEHICLE


@pytest.fixture
def emulator_start_time() -> datetime:
    """A fixed emulator clock, so the snapshot is stable."""
    return datetime(2025, 6, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def only_binary_sensors() -> Generator[None]:
    """Set up only the binary sensor platform."""
    with patch("custom_components.enode.PLATFORMS", [Platform.BINARY_SENSOR]):
        yield


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    setup_integration: MockConfigEntry,
) -> None:
    """Every binary sensor of the demo household."""
    await snapshot_platform(hass, entity_registry, snapshot, setup_integration.entry_id)


async def test_flags_follow_pushed_state(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Unplugging, unreachability and production arrive by webhook and flip the sensors."""

    def state(asset_id: str, key: str) -> str:
        entity_id = entity_registry.async_get_entity_id(
            "binary_sensor", "enode", f"{asset_id}_{key}"
        )
        assert entity_id is not None
        return hass.states.get(entity_id).state

    assert state(VEHICLE, "plugged_in") == STATE_ON
    assert state(VEHICLE, "reachable") == STATE_ON
    assert state(INVERTER, "producing") == STATE_OFF
    emulator.patch_asset(
        VEHICLE,
        {"isReachable": False, "chargeState": {"isPluggedIn": False}},
    )
    emulator.patch_asset(INVERTER, {"productionState": {"isProducing": True}})
    await emulator.advance(1)
    await hass.async_block_till_done()
    assert state(VEHICLE, "plugged_in") == STATE_OFF
    assert state(VEHICLE, "reachable") == STATE_OFF
    assert state(INVERTER, "producing") == STATE_ON
    # The reachable sensor itself stays available: it is how the user learns it.
    assert await last_update_success(hass, setup_integration)


async def test_charging_state_has_its_own_translated_name(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """The state is "Charging" by its own translation key (the switch is "Charge")."""
    for asset_id, device in ((VEHICLE, "My Model 3"), (CHARGER, "Zaptec Go")):
        entity_id = entity_registry.async_get_entity_id(
            "binary_sensor", "enode", f"{asset_id}_charging"
        )
        assert entity_id is not None
        assert entity_registry.async_get(entity_id).translation_key == "charging"
        state = hass.states.get(entity_id)
        assert state.attributes["friendly_name"] == f"{device} Charging"
        assert state.attributes["device_class"] == "battery_charging"
