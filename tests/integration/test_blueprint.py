"""The solar surplus blueprint: installed on setup, valid, and driving the real Enode entities."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch
from urllib.parse import quote

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.components.blueprint import importer, models as blueprint_models
from homeassistant.components.blueprint.schemas import BLUEPRINT_SCHEMA
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    ATTR_ENTITY_ID,
    ATTR_UNIT_OF_MEASUREMENT,
    EVENT_CALL_SERVICE,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    Platform,
)
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import yaml as yaml_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.enode.blueprint_files import SHIPPED, async_install_blueprints
from enode_emulator import Emulator

from .platform_helpers import CHARGER, START, VEHICLE, control_requests, entity_id, settle

BLUEPRINT = "enode/solar_surplus_charging.yaml"
SHIPPED_FILE = SHIPPED / "automation" / "solar_surplus_charging.yaml"
GRID = "sensor.grid_power"
RAW_URL = (
    "https://raw.githubusercontent.com/enode-ha/ha-enode/main/"
    "custom_components/enode/blueprints/automation/solar_surplus_charging.yaml"
)
ROOT = Path(__file__).parents[2]


@pytest.fixture
def emulator_start_time() -> datetime:
    """Enode's clock starts where Home Assistant's frozen clock does."""
    return START


@pytest.fixture(autouse=True)
def frozen_clock(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    """Home Assistant's clock frozen at START before anything is set up (tests move it)."""
    freezer.move_to(START)
    return freezer


@pytest.fixture
def config_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """The test's own configuration folder (conftest's hass fixture)."""
    assert Path(hass.config.config_dir) == tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def only_controls() -> Generator[None]:
    """Set up only what the blueprint reads and drives (Ready by: to turn smart charging on)."""
    with patch(
        "custom_components.enode.PLATFORMS",
        [Platform.BINARY_SENSOR, Platform.NUMBER, Platform.SWITCH, Platform.TIME],
    ):
        yield


@pytest.fixture(autouse=True)
async def automations_off(hass: HomeAssistant) -> AsyncGenerator[None]:
    """Turn the automation off after the test: its minute timer must not outlive it."""
    yield
    if hass.services.has_service(AUTOMATION_DOMAIN, SERVICE_TURN_OFF):
        await hass.services.async_call(
            AUTOMATION_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: "all"}, blocking=True
        )


class Commands:
    """The number and switch actions called since the last look, as (action, entity, value)."""

    def __init__(self, hass: HomeAssistant) -> None:
        self._events: list[Event[Any]] = async_capture_events(hass, EVENT_CALL_SERVICE)

    def take(self) -> list[tuple[str, str, Any]]:
        calls = [
            (
                f"{event.data['domain']}.{event.data['service']}",
                ",".join(cv.ensure_list(event.data["service_data"][ATTR_ENTITY_ID])),
                event.data["service_data"].get("value"),
            )
            for event in self._events
            if event.data["domain"] in ("number", "switch")
        ]
        self._events.clear()
        return calls


class Enode:
    """The control requests Enode received since the last look."""

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator
        self._seen = len(control_requests(emulator))

    def take(self) -> list[tuple[str, str, int]]:
        requests = control_requests(self._emulator)
        new, self._seen = requests[self._seen :], len(requests)
        return new


async def grid(hass: HomeAssistant, value: float, unit: str = "kW") -> None:
    """The grid power sensor reads the value (negative: exporting)."""
    hass.states.async_set(
        GRID, str(value), {ATTR_UNIT_OF_MEASUREMENT: unit, ATTR_DEVICE_CLASS: "power"}
    )
    await hass.async_block_till_done()


async def minutes(hass: HomeAssistant, freezer: FrozenDateTimeFactory, count: int) -> None:
    """Let minutes pass one by one (the blueprint looks again every minute)."""
    for _ in range(count):
        freezer.tick(timedelta(minutes=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()


async def _automation(hass: HomeAssistant, **inputs: Any) -> None:
    assert await async_setup_component(
        hass,
        AUTOMATION_DOMAIN,
        {
            AUTOMATION_DOMAIN: {
                "id": "solar",
                "alias": "Solar surplus",
                "use_blueprint": {"path": BLUEPRINT, "input": inputs},
            }
        },
    )
    await hass.async_block_till_done()
    assert hass.states.get("automation.solar_surplus").state == STATE_ON


async def _switch(hass: HomeAssistant, entity: str, service: str) -> None:
    await hass.services.async_call(SWITCH_DOMAIN, service, {ATTR_ENTITY_ID: entity}, blocking=True)


@pytest.fixture
async def installed(hass: HomeAssistant, config_dir: Path) -> Path:
    """The blueprint installed the way setup installs it."""
    await async_install_blueprints(hass)
    path = config_dir / "blueprints" / "automation" / BLUEPRINT
    assert path.read_bytes() == SHIPPED_FILE.read_bytes()
    return path


async def test_install_copies_once_and_keeps_the_users_copy(
    hass: HomeAssistant, config_dir: Path
) -> None:
    """Copied when absent; an edited copy is left as it is; a deleted one comes back."""
    path = config_dir / "blueprints" / "automation" / BLUEPRINT
    await async_install_blueprints(hass)
    assert path.read_bytes() == SHIPPED_FILE.read_bytes()
    edited = path.read_text().replace("start_w: !input start_surplus", "start_w: 9999")
    path.write_text(edited)
    await async_install_blueprints(hass)
    assert path.read_text() == edited
    path.unlink()
    await async_install_blueprints(hass)
    assert path.read_bytes() == SHIPPED_FILE.read_bytes()
    # Only the shipped files, each in the folder of its domain.
    assert sorted(p.relative_to(config_dir) for p in config_dir.rglob("*.yaml")) == [
        Path("blueprints/automation/enode/solar_surplus_charging.yaml")
    ]


async def test_install_failure_is_logged_not_raised(
    hass: HomeAssistant, config_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A configuration folder the copy cannot write to costs a warning, never the setup."""
    (config_dir / "blueprints").write_text("not a folder")
    await async_install_blueprints(hass)
    assert "Could not copy the Enode blueprints" in caplog.text
    assert (config_dir / "blueprints").read_text() == "not a folder"


@pytest.mark.usefixtures("installed")
async def test_installed_blueprint_is_in_the_blueprint_list(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    """The automation editor's list (blueprint/list) shows it, without import errors."""
    assert await async_setup_component(hass, AUTOMATION_DOMAIN, {})
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "blueprint/list", "domain": AUTOMATION_DOMAIN})
    answer = await client.receive_json()
    assert answer["success"]
    listed = answer["result"][BLUEPRINT]
    assert "error" not in listed
    assert listed["metadata"]["name"] == "Enode solar surplus charging"


def test_blueprint_is_valid_and_every_input_is_described() -> None:
    """Home Assistant's schema accepts it; every input has a name, description and selector."""
    data = yaml_util.load_yaml_dict(SHIPPED_FILE)
    blueprint = blueprint_models.Blueprint(
        data, expected_domain=AUTOMATION_DOMAIN, schema=BLUEPRINT_SCHEMA
    )
    assert blueprint.validate() is None  # the running release meets min_version
    assert blueprint.metadata["source_url"].startswith("https://github.com/enode-ha/ha-enode/")
    inputs = blueprint.inputs
    assert set(inputs) == {
        "grid_power_sensor",
        "export_is_negative",
        "limit_number",
        "charging_switch",
        "charging_power_sensor",
        "plugged_in_sensor",
        "charge_now_switch",
        "smart_charging_switch",
        "start_surplus",
        "stop_surplus",
        "adjust_band",
        "min_interval",
        "voltage",
        "phases",
        "min_current",
    }
    undescribed = [
        key
        for key, spec in inputs.items()
        if not all(spec.get(field) for field in ("name", "description", "selector"))
    ]
    assert undescribed == []
    # The Enode controls are picked from Enode's entities.
    for key in ("limit_number", "charging_switch", "charge_now_switch", "smart_charging_switch"):
        filters = inputs[key]["selector"]["entity"]["filter"]
        assert all(item["integration"] == "enode" for item in filters), key


async def test_import_link_and_reimport_fetch_the_shipped_file(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The README's import URL and the blueprint's source_url both reach the file on GitHub."""
    aioclient_mock.get(RAW_URL, text=SHIPPED_FILE.read_text())
    source_url = yaml_util.load_yaml_dict(SHIPPED_FILE)["blueprint"]["source_url"]
    for url in (RAW_URL, source_url):
        imported = await importer.fetch_blueprint_from_url(hass, url)
        assert imported.suggested_filename == "enode-ha/solar_surplus_charging"
        assert imported.blueprint.name == "Enode solar surplus charging"
    assert aioclient_mock.call_count == 2
    assert quote(RAW_URL, safe="") in (ROOT / "docs" / "SOLAR_SURPLUS.md").read_text()


@pytest.mark.usefixtures("installed")
async def test_charge_rate_limit_follows_the_surplus(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Start, adjust, clamp, stop; nothing in the bands, within the interval, or for no change."""
    # Its pause is shown with the charger's Charge now, which only the 2024-01-01 route serves.
    emulator.config.charger_smart_override = True
    limit = entity_id(entity_registry, "number", CHARGER, "charge_rate_limit")
    charge = entity_id(entity_registry, "switch", CHARGER, "charging")
    charge_now = entity_id(entity_registry, "switch", CHARGER, "charge_now")
    assert hass.states.get(limit).state == "11.04"
    await grid(hass, 0.5)
    calls, enode = Commands(hass), Enode(emulator)
    await _automation(
        hass,
        grid_power_sensor=GRID,
        limit_number=limit,
        charging_switch=charge,
        charge_now_switch=charge_now,
        start_surplus=4500,
        stop_surplus=3000,
        adjust_band=300,
        min_interval=5,
    )

    # Importing, then exporting less than the start surplus: the hysteresis band.
    await minutes(hass, freezer, 2)
    await grid(hass, -4.2)
    await minutes(hass, freezer, 6)
    assert calls.take() == []
    assert enode.take() == []

    # 4.64 kW export: first the limit goes to 4.6 kW (rounded down to the step) ...
    await grid(hass, -4.64)
    assert calls.take() == [("number.set_value", limit, 4.6)]
    assert enode.take() == [("POST", f"/chargers/{CHARGER}/charge-rate-limit", 200)]
    await settle(hass, emulator)
    assert emulator.asset(CHARGER)["chargeState"]["chargeRateLimit"] == 4.6
    # ... and charging starts in the next round, once the minimum interval has passed (a
    # second action at once would cancel the first: one action per asset).
    await minutes(hass, freezer, 4)
    assert calls.take() == []
    await minutes(hass, freezer, 1)
    assert calls.take() == [("switch.turn_on", charge, None)]
    assert enode.take() == [("POST", f"/chargers/{CHARGER}/charging", 200)]
    await settle(hass, emulator)
    assert emulator.asset(CHARGER)["chargeState"]["chargeRateLimit"] == 4.6
    assert emulator.asset(CHARGER)["chargeState"]["isCharging"] is True

    # More sun (3.5 kW still exported while drawing 4.6 kW), but within the minimum interval.
    await grid(hass, -3.5)
    await minutes(hass, freezer, 3)
    assert calls.take() == []
    # Once 5 minutes have passed since the last command: 4.6 + 3.5 = 8.1 kW.
    await minutes(hass, freezer, 2)
    assert calls.take() == [("number.set_value", limit, 8.1)]
    assert enode.take() == [("POST", f"/chargers/{CHARGER}/charge-rate-limit", 200)]
    await settle(hass, emulator)
    assert emulator.asset(CHARGER)["chargeState"]["chargeRateLimit"] == 8.1

    # 0.2 kW more: inside the adjustment band, nothing however long it lasts.
    await grid(hass, -0.2)
    await minutes(hass, freezer, 11)
    assert calls.take() == []

    # Importing 4.5 kW while drawing 8.1: 3.6 kW available, between the stop and the start
    # surplus: charging goes on at the lowest rate, 6 A on 3 x 230 V = 4.14, so 4.2 kW.
    await grid(hass, 4.5)
    assert calls.take() == [("number.set_value", limit, 4.2)]
    await settle(hass, emulator)
    # 4.1 kW available: the lowest rate again, which is what is set: nothing is sent.
    await grid(hass, 0.1)
    await minutes(hass, freezer, 6)
    assert calls.take() == []
    # 2.9 kW available: below the stop surplus, charging stops.
    await grid(hass, 1.3)
    assert calls.take() == [("switch.turn_off", charge, None)]
    assert enode.take() == [
        ("POST", f"/chargers/{CHARGER}/charge-rate-limit", 200),
        ("POST", f"/chargers/{CHARGER}/charging", 200),
    ]
    await settle(hass, emulator)
    assert emulator.asset(CHARGER)["chargeState"]["isCharging"] is False

    # Stopped, exporting 4 kW: below the start surplus, nothing.
    await grid(hass, -4.0)
    await minutes(hass, freezer, 10)
    assert calls.take() == []

    # Charge now: the user decides; 6 kW export changes nothing while it is on.
    await _switch(hass, charge_now, SERVICE_TURN_ON)
    calls.take()
    enode.take()
    await grid(hass, -6)
    await minutes(hass, freezer, 10)
    assert calls.take() == []
    assert enode.take() == []


@pytest.mark.usefixtures("installed")
async def test_max_current_in_amperes_paused_by_smart_charging(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Max current: W to A on 3 x 230 V, clamped; smart charging and unplugging pause it."""
    limit = entity_id(entity_registry, "number", VEHICLE, "max_current")
    charge = entity_id(entity_registry, "switch", VEHICLE, "charging")
    smart = entity_id(entity_registry, "switch", VEHICLE, "smart_charging")
    ready_by = entity_id(entity_registry, "time", VEHICLE, "ready_by")
    plugged = entity_id(entity_registry, "binary_sensor", VEHICLE, "plugged_in")
    assert hass.states.get(limit).state == "16"
    # Smart charging on (it needs a deadline first).
    await hass.services.async_call(
        "time", "set_value", {ATTR_ENTITY_ID: ready_by, "time": time(7, 0)}, blocking=True
    )
    await _switch(hass, smart, SERVICE_TURN_ON)
    await grid(hass, 12000, "W")
    calls, enode = Commands(hass), Enode(emulator)
    await _automation(
        hass,
        grid_power_sensor=GRID,
        limit_number=limit,
        charging_switch=charge,
        smart_charging_switch=smart,
        plugged_in_sensor=plugged,
        export_is_negative=False,
        start_surplus=4200,
        stop_surplus=1000,
        adjust_band=0,
        min_interval=2,
        voltage=230,
        phases=3,
    )
    # This sensor shows export as positive: 12 kW, but smart charging is on.
    await minutes(hass, freezer, 5)
    assert calls.take() == []
    assert enode.take() == []

    # Smart charging off: 12000 W / 690 W per ampere = 17.4 A, so 17 A; charging starts in
    # the next round.
    await _switch(hass, smart, SERVICE_TURN_OFF)
    calls.take()
    enode.take()
    await minutes(hass, freezer, 1)
    assert calls.take() == [("number.set_value", limit, 17.0)]
    assert enode.take() == [("POST", f"/vehicles/{VEHICLE}/max-current", 200)]
    await settle(hass, emulator)
    await minutes(hass, freezer, 2)
    assert calls.take() == [("switch.turn_on", charge, None)]
    assert enode.take() == [("POST", f"/vehicles/{VEHICLE}/charging", 200)]
    await settle(hass, emulator)
    assert emulator.asset(VEHICLE)["chargeState"]["maxCurrent"] == 17
    assert emulator.asset(VEHICLE)["chargeState"]["isCharging"] is True

    # Drawing 17 A (11730 W) and exporting 500 W: 17.7 A rounds down to the same 17 A, so
    # nothing is sent although the adjustment band is 0.
    await grid(hass, 500, "W")
    await minutes(hass, freezer, 4)
    assert calls.take() == []

    # Exporting 20 kW: 46 A, clamped to the control's maximum, 32 A.
    await grid(hass, 20000, "W")
    assert calls.take() == [("number.set_value", limit, 32.0)]
    assert enode.take() == [("POST", f"/vehicles/{VEHICLE}/max-current", 200)]
    await settle(hass, emulator)
    assert emulator.asset(VEHICLE)["chargeState"]["maxCurrent"] == 32

    # Importing 20 kW while drawing 32 A (22080 W): 2080 W is above the stop surplus but
    # below the lowest charging current: 6 A (the control's own minimum is 5 A).
    await grid(hass, -20000, "W")
    await minutes(hass, freezer, 2)
    assert calls.take() == [("number.set_value", limit, 6.0)]
    assert enode.take() == [("POST", f"/vehicles/{VEHICLE}/max-current", 200)]
    await settle(hass, emulator)

    # Unplugged (charging stops): nothing is sent, whatever the surplus.
    emulator.plug_vehicle(VEHICLE, False)
    await settle(hass, emulator, 1)
    assert hass.states.get(plugged).state == STATE_OFF
    assert hass.states.get(charge).state == STATE_OFF
    await grid(hass, 20000, "W")
    await minutes(hass, freezer, 5)
    assert calls.take() == []
    assert enode.take() == []


@pytest.mark.usefixtures("installed")
async def test_measured_charging_power_counts_over_the_limit(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """With a charging power sensor, the power drawn (not the limit) plus the export counts."""
    limit = entity_id(entity_registry, "number", CHARGER, "charge_rate_limit")
    charge = entity_id(entity_registry, "switch", CHARGER, "charging")
    await _switch(hass, charge, SERVICE_TURN_ON)
    await settle(hass, emulator)
    assert hass.states.get(charge).state == STATE_ON
    # The car takes 3 kW of the 11.04 kW limit; 0.5 kW is exported.
    hass.states.async_set(
        "sensor.charger_power", "3000", {ATTR_UNIT_OF_MEASUREMENT: "W", ATTR_DEVICE_CLASS: "power"}
    )
    await grid(hass, -0.5)
    calls = Commands(hass)
    await _automation(
        hass,
        grid_power_sensor=GRID,
        limit_number=limit,
        charging_switch=charge,
        charging_power_sensor="sensor.charger_power",
    )
    await grid(hass, -0.6)
    # 3.6 kW available (not 11.6): the lowest rate, 4.2 kW.
    assert calls.take() == [("number.set_value", limit, 4.2)]


async def test_setup_installs_the_blueprint(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """Setting up an entry puts the blueprint where the automation editor lists it."""
    installed = Path(hass.config.config_dir, "blueprints/automation", BLUEPRINT)
    assert installed.read_bytes() == SHIPPED_FILE.read_bytes()
