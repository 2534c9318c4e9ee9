"""Config entry migrations: 1.1 -> 1.2 drops the former "Smart charging" binary sensor."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from homeassistant.const import STATE_OFF
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.enode.const import DOMAIN

from .platform_helpers import VEHICLE


async def test_1_1_entry_loses_the_old_binary_sensor_once(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    ha_client: TestClient,
    config_entry: MockConfigEntry,
) -> None:
    """The migration removes the old entity, keeps the switch of the same key, and is recorded."""
    assert (config_entry.version, config_entry.minor_version) == (1, 1)
    old = entity_registry.async_get_or_create(
        "binary_sensor", DOMAIN, f"{VEHICLE}_smart_charging", config_entry=config_entry
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert (config_entry.version, config_entry.minor_version) == (1, 2)
    assert entity_registry.async_get(old.entity_id) is None
    switch = entity_registry.async_get_entity_id("switch", DOMAIN, f"{VEHICLE}_smart_charging")
    assert switch is not None
    assert hass.states.get(switch).state == STATE_OFF


async def test_1_2_entry_is_not_migrated_again(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    ha_client: TestClient,
    config_entry: MockConfigEntry,
) -> None:
    """An entry already at 1.2 keeps its registry as it is."""
    hass.config_entries.async_update_entry(config_entry, minor_version=2)
    kept = entity_registry.async_get_or_create(
        "binary_sensor", DOMAIN, f"{VEHICLE}_smart_charging", config_entry=config_entry
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert entity_registry.async_get(kept.entity_id) is not None
