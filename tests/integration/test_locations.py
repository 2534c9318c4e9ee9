"""Home as an Enode Location (config and options flows) and the location sensors."""

from __future__ import annotations

from datetime import datetime, timedelta
import string
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.sensor import ATTR_OPTIONS
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.enode.const import (
    CONF_CREATE_HOME_LOCATION,
    CONF_HOME_LOCATION_ID,
    CONF_USER_ID,
    DOMAIN,
    POLL_INTERVAL_LOCATIONS,
    POLL_INTERVAL_NO_PUSH,
)
from enode_emulator import Emulator

from .conftest import (
    DEMO_USER,
    browse_link,
    last_update_success,
    poll_now,
    push_healthy,
    tick,
)
from .platform_helpers import CHARGER, START, VEHICLE, entity_id, settle
from .test_config_flow import open_link, start_flow

# The demo household of the emulator (its one Location) and a place far from it.
DEMO_HOME = (59.9139, 10.7522)
BERGEN = (60.39, 5.32)
DEMO_LOCATION_NAME = "Demo household"


@pytest.fixture
def emulator_start_time() -> datetime:
    """A fixed emulator clock."""
    return START


def locations_of(emulator: Emulator, user_id: str) -> list[dict[str, Any]]:
    """The user's Locations as Enode holds them."""
    return [site.to_json() for site in emulator.core.pricing.locations_of(user_id)]


def location_requests(emulator: Emulator, start: int = 0) -> list[str]:
    """Location writes Enode received since start: 'METHOD path status'."""
    return [
        f"{e.method} {e.path} {e.status}"
        for e in emulator.request_log[start:]
        if "/locations" in e.path and e.method != "GET"
    ]


async def description(hass: HomeAssistant, result: Any, category: str) -> str:
    """The step's English description, its placeholders filled (fails on a missing one)."""
    strings = await async_get_translations(hass, "en", category, [DOMAIN])
    template = strings[f"component.{DOMAIN}.{category}.step.{result['step_id']}.description"]
    placeholders = result["description_placeholders"]
    wanted = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    assert wanted <= set(placeholders), (template, placeholders)
    return template.format(**placeholders)


async def error_text(hass: HomeAssistant, result: Any, category: str) -> str:
    """The form's English error, its placeholders filled (fails on a missing one)."""
    strings = await async_get_translations(hass, "en", category, [DOMAIN])
    template = strings[f"component.{DOMAIN}.{category}.error.{result['errors']['base']}"]
    return template.format(**result["description_placeholders"])


async def linked_flow(
    hass: HomeAssistant, emulator: Emulator, ha_client: TestClient, user_id: str = ""
) -> dict[str, Any]:
    """Credentials and Link done: the flow shows the home location step."""
    result = await start_flow(hass, emulator, user_id)
    result = await open_link(hass, result["flow_id"])
    assert (await browse_link(result["url"], ha_client)).status == 200
    result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "home_location"
    return result


async def test_setup_creates_the_home_location(
    hass: HomeAssistant, emulator: Emulator, ha_client: TestClient
) -> None:
    """After linking, one click makes Home Assistant's home an Enode Location."""
    result = await linked_flow(hass, emulator, ha_client)
    text = await description(hass, result, "config")
    assert "**test home** (32.87336, -117.22743, time zone US/Pacific)" in text
    # The emulator gives a newly linked user a household of its own, far from this home.
    (linked_household,) = set(emulator.core.store.users) - {DEMO_USER}
    held = {loc["id"] for loc in locations_of(emulator, linked_household)}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_CREATE_HOME_LOCATION: True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    user_id = result["data"][CONF_USER_ID]
    assert user_id == linked_household
    (location,) = [loc for loc in locations_of(emulator, user_id) if loc["id"] not in held]
    assert result["data"][CONF_HOME_LOCATION_ID] == location["id"]
    assert (location["name"], location["latitude"], location["longitude"]) == (
        "test home",
        32.87336,
        -117.22743,
    )
    assert location["timezoneName"] == "US/Pacific"
    await hass.async_block_till_done()
    entry = result["result"]
    # Locations without an asset at them show in no entity: only the coordinator holds them.
    assert set(entry.runtime_data.coordinator.data.locations) == held | {location["id"]}


async def test_setup_updates_a_location_already_at_home(
    hass: HomeAssistant, emulator: Emulator, ha_client: TestClient
) -> None:
    """Enode already has a Location at home (made by another app): updated, not doubled."""
    await hass.config.async_update(
        location_name="Villa", latitude=DEMO_HOME[0] + 0.001, longitude=DEMO_HOME[1]
    )
    (before,) = locations_of(emulator, DEMO_USER)
    result = await linked_flow(hass, emulator, ha_client, DEMO_USER)
    start = len(emulator.request_log)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_CREATE_HOME_LOCATION: True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    (after,) = locations_of(emulator, DEMO_USER)
    assert after["id"] == before["id"] == result["data"][CONF_HOME_LOCATION_ID]
    assert (after["name"], after["latitude"]) == ("Villa", DEMO_HOME[0] + 0.001)
    assert location_requests(emulator, start) == [f"PUT /locations/{before['id']} 200"]


async def test_setup_skips_the_home_location(
    hass: HomeAssistant, emulator: Emulator, ha_client: TestClient
) -> None:
    """Turning the checkbox off creates the entry without touching Enode's Locations."""
    result = await linked_flow(hass, emulator, ha_client)
    start = len(emulator.request_log)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_CREATE_HOME_LOCATION: False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert CONF_HOME_LOCATION_ID not in result["data"]
    assert location_requests(emulator, start) == []


async def test_setup_shows_enode_refusal_then_retries(
    hass: HomeAssistant, emulator: Emulator, ha_client: TestClient
) -> None:
    """Enode refuses the Location: the step shows why and a second click works."""
    result = await linked_flow(hass, emulator, ha_client)
    emulator.add_fault(path="/users/*/locations", method="POST", status=503, count=5)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_CREATE_HOME_LOCATION: True}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "home_location"
    assert result["errors"] == {"base": "home_location_failed"}
    text = await error_text(hass, result, "config")
    assert text.startswith("Enode did not save the Location: ")
    assert "503" in text
    emulator.core.faults.clear()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_CREATE_HOME_LOCATION: True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_HOME_LOCATION_ID]


async def options_home_location(
    hass: HomeAssistant, entry: MockConfigEntry, create: bool = True, name: str = "test home"
) -> dict[str, Any]:
    """Options > Home as an Enode Location, answered."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert "home_location" in result["menu_options"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "home_location"}
    )
    assert result["step_id"] == "home_location"
    text = await description(hass, result, "options")
    assert f"**{name}** (32.87336, -117.22743, time zone US/Pacific)" in text
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_CREATE_HOME_LOCATION: create}
    )
    await hass.async_block_till_done()
    return result


async def test_options_create_then_update_without_duplicates(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry
) -> None:
    """Created once from the options, then updated in place; no reload, sensors know it."""
    entry = setup_integration
    # Only the identity of the runtime data tells a reload apart (the flow makes requests).
    running = entry.runtime_data
    result = await options_home_location(hass, entry)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    home_id = entry.data[CONF_HOME_LOCATION_ID]
    assert {loc["id"] for loc in locations_of(emulator, DEMO_USER)} >= {home_id}
    # No asset is at the new home yet, so no entity shows it: the coordinator holds it.
    assert home_id in entry.runtime_data.coordinator.data.locations
    assert entry.runtime_data is running  # options unchanged: no reload

    await hass.config.async_update(location_name="Cabin")
    start = len(emulator.request_log)
    await options_home_location(hass, entry, name="Cabin")
    assert entry.data[CONF_HOME_LOCATION_ID] == home_id
    assert location_requests(emulator, start) == [f"PUT /locations/{home_id} 200"]
    names = sorted(loc["name"] for loc in locations_of(emulator, DEMO_USER))
    assert names == ["Cabin", DEMO_LOCATION_NAME]


async def test_options_remake_a_deleted_home_location(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry
) -> None:
    """The remembered Location was deleted at Enode: a new one is made and remembered."""
    entry = setup_integration
    await options_home_location(hass, entry)
    old_id = entry.data[CONF_HOME_LOCATION_ID]
    emulator.core.pricing.delete_location(old_id)
    start = len(emulator.request_log)
    await options_home_location(hass, entry)
    new_id = entry.data[CONF_HOME_LOCATION_ID]
    assert new_id != old_id
    assert location_requests(emulator, start) == [
        f"PUT /locations/{old_id} 404",
        f"POST /users/{DEMO_USER}/locations 200",
    ]


async def test_options_skip_and_refusal(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry
) -> None:
    """Skipping changes nothing; a refusal is shown with Enode's reason."""
    entry = setup_integration
    start = len(emulator.request_log)
    result = await options_home_location(hass, entry, create=False)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert CONF_HOME_LOCATION_ID not in entry.data
    assert location_requests(emulator, start) == []

    emulator.add_fault(path="/users/*/locations", method="POST", status=500, count=5)
    result = await options_home_location(hass, entry)
    assert result["type"] is FlowResultType.FORM
    assert (await error_text(hass, result, "options")).startswith(
        "Enode did not save the Location: "
    )
    assert CONF_HOME_LOCATION_ID not in entry.data


async def test_vehicle_location_sensor_follows_the_geofence(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """At the demo household, away after driving off (by push), back when it returns."""
    sensor = entity_id(entity_registry, "sensor", VEHICLE, "location")
    state = hass.states.get(sensor)
    assert state.state == DEMO_LOCATION_NAME
    assert state.attributes[ATTR_OPTIONS] == [DEMO_LOCATION_NAME, "away"]
    assert state.attributes["friendly_name"] == "My Model 3 Location"

    emulator.move_vehicle(VEHICLE, *BERGEN)
    await settle(hass, emulator, 1)
    assert hass.states.get(sensor).state == "away"
    emulator.move_vehicle(VEHICLE, *DEMO_HOME)
    await settle(hass, emulator, 1)
    assert hass.states.get(sensor).state == DEMO_LOCATION_NAME


async def test_location_made_elsewhere_is_listed_once(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """A Location made in another app shows up first as a pushed location.id: listed once."""
    sensor = entity_id(entity_registry, "sensor", VEHICLE, "location")
    emulator.core.pricing.create_location(
        DEMO_USER,
        {"name": "Office", "latitude": BERGEN[0], "longitude": BERGEN[1], "timezoneName": "UTC"},
    )
    start = len(emulator.request_log)
    emulator.move_vehicle(VEHICLE, *BERGEN)
    await settle(hass, emulator, 1)
    state = hass.states.get(sensor)
    assert state.state == "Office"
    assert state.attributes[ATTR_OPTIONS] == [DEMO_LOCATION_NAME, "Office", "away"]
    listed = [e.path for e in emulator.request_log[start:] if e.method == "GET"]
    assert listed == [f"/users/{DEMO_USER}/locations"]


async def test_location_deleted_elsewhere_disappears_without_reload(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """A Location deleted in another app: the vehicle there reads away at once (push), and
    the next poll drops it from the sensor's options; no reload."""
    sensor = entity_id(entity_registry, "sensor", VEHICLE, "location")
    office = emulator.core.pricing.create_location(
        DEMO_USER,
        {"name": "Office", "latitude": BERGEN[0], "longitude": BERGEN[1], "timezoneName": "UTC"},
    )
    emulator.move_vehicle(VEHICLE, *BERGEN)
    await settle(hass, emulator, 1)
    assert hass.states.get(sensor).state == "Office"
    emulator.core.pricing.delete_location(office.id)
    emulator.move_vehicle(VEHICLE, BERGEN[0] + 0.0001, BERGEN[1])  # a push of the vehicle
    await settle(hass, emulator, 1)
    assert hass.states.get(sensor).state == "away"
    await poll_now(hass, sensor)
    assert hass.states.get(sensor).attributes[ATTR_OPTIONS] == [DEMO_LOCATION_NAME, "away"]


async def test_unlisted_location_is_unknown_until_listed(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """A location.id Enode does not list (yet) is unknown, not a wrong name."""
    sensor = entity_id(entity_registry, "sensor", VEHICLE, "location")
    # Refused (403, no retries): the listing keeps the Locations it had.
    emulator.add_fault(path="/users/*/locations", method="GET", status=403, count=10)
    emulator.patch_asset(VEHICLE, {"location": {"id": "3f0c2b8e-0000-4000-8000-000000000000"}})
    await settle(hass, emulator, 1)
    assert hass.states.get(sensor).state == STATE_UNKNOWN


@pytest.mark.usefixtures("setup_integration")
async def test_charger_location_sensor_is_disabled_by_default(
    hass: HomeAssistant, entity_registry: er.EntityRegistry
) -> None:
    """Chargers are assigned a Location and stay there: the sensor exists, disabled."""
    sensor = entity_id(entity_registry, "sensor", CHARGER, "location")
    assert entity_registry.async_get(sensor).disabled_by is er.RegistryEntryDisabler.INTEGRATION


async def test_locations_refused_keep_the_known_ones(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """A client that may not list Locations (403) still polls; the sensor keeps its name."""
    sensor = entity_id(entity_registry, "sensor", VEHICLE, "location")
    known = hass.states.get(sensor).attributes[ATTR_OPTIONS]
    emulator.add_fault(path="/users/*/locations", method="GET", status=403, count=10)
    start = len(emulator.request_log)
    await poll_now(hass, sensor)
    assert [e.status for e in emulator.request_log[start:] if e.path.endswith("/locations")] == [
        403
    ]
    assert await last_update_success(hass, setup_integration)
    assert hass.states.get(sensor).attributes[ATTR_OPTIONS] == known
    assert hass.states.get(sensor).state == DEMO_LOCATION_NAME


async def test_home_without_a_name_is_called_home(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry
) -> None:
    """Home Assistant allows an empty home name, Enode does not: the Location is Home."""
    await hass.config.async_update(location_name=" ")
    await options_home_location(hass, setup_integration, name="Home")
    home_id = setup_integration.data[CONF_HOME_LOCATION_ID]
    assert emulator.core.pricing.location(home_id).name == "Home"


async def test_without_push_locations_are_listed_every_half_hour(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Polling every 5 minutes lists device data each time, the Locations every 30 minutes."""
    assert await async_setup_component(hass, "http", {})
    hass.config.api = None  # no URL for Enode to push to
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert not await push_healthy(hass, config_entry)
    sensor = entity_id(entity_registry, "sensor", VEHICLE, "location")
    listed = len(locations_listed(emulator))
    assert listed == 1  # at setup
    emulator.core.pricing.create_location(
        DEMO_USER,
        {"name": "Office", "latitude": BERGEN[0], "longitude": BERGEN[1], "timezoneName": "UTC"},
    )
    start = len(emulator.request_log)
    await tick(hass, freezer, POLL_INTERVAL_NO_PUSH + timedelta(seconds=1))
    assert f"GET /users/{DEMO_USER}/vehicles" in [
        f"{e.method} {e.path}" for e in emulator.request_log[start:]
    ]
    assert len(locations_listed(emulator)) == 1
    assert "Office" not in hass.states.get(sensor).attributes[ATTR_OPTIONS]
    for _ in range(POLL_INTERVAL_LOCATIONS // POLL_INTERVAL_NO_PUSH):
        await tick(hass, freezer, POLL_INTERVAL_NO_PUSH + timedelta(seconds=1))
    assert len(locations_listed(emulator)) == 2
    assert "Office" in hass.states.get(sensor).attributes[ATTR_OPTIONS]


@pytest.fixture
def enode_client_options() -> dict[str, Any]:
    """Retry GETs without sleeping: with `freezer` the loop's clock stands still as well."""
    return {"retry_base_delay": 0}


def locations_listed(emulator: Emulator) -> list[str]:
    """GET requests of the user's Location list."""
    return [
        e.path
        for e in emulator.request_log
        if (e.method, e.path) == ("GET", f"/users/{DEMO_USER}/locations")
    ]
