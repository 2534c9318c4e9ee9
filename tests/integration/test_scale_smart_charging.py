"""Smart charging status at scale: requests grow with vehicles that smart charge, not vehicles.

A household of 70 assets in the demo's mix (`scale:70:1`: ten groups of vehicle, charger,
battery, HVAC unit, inverter, meter and HEM system); only the first vehicle (the demo's) has
smart charging on. What each poll round costs is read from the emulator's request log while
both clocks move (freezer and `Emulator.advance`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncGenerator, Generator
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.enode.const import POLL_INTERVAL_NO_PUSH
from enode_emulator import Emulator, EmulatorConfig

from .conftest import push_healthy
from .platform_helpers import VEHICLE, entity_id

START = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)
HOUSEHOLD = "scale:70:1"
STATUS = "/smart-charging-status"
STEP = timedelta(minutes=5)  # within a heartbeat period: push stays healthy


@pytest.fixture(autouse=True)
def sensors_only() -> Generator[None]:
    """The smart charging state is a sensor; other platforms only cost CPU here."""
    with patch("custom_components.enode.PLATFORMS", [Platform.SENSOR]):
        yield


@pytest.fixture
async def emulator(socket_enabled: None) -> AsyncGenerator[Emulator]:
    """Ten vehicles, one with smart charging on; the clock moves only with advance()."""
    emulator = Emulator(
        EmulatorConfig(scenario=HOUSEHOLD, seed=1, speed=0.0, action_delay=20.0, start_time=START)
    )
    await emulator.start()
    yield emulator
    await emulator.stop()


def vehicles(emulator: Emulator) -> list[str]:
    """The household's vehicle ids, the smart charging one (the demo's) first."""
    ids = [asset.id for asset in emulator.core.store.assets.values() if asset.kind == "vehicle"]
    assert len(ids) == 10
    assert ids[0] == VEHICLE
    return ids


def status_requests(emulator: Emulator) -> Counter[str]:
    """Smart charging status requests per vehicle id."""
    return Counter(
        item.path.split("/")[2]
        for item in emulator.request_log
        if item.method == "GET" and item.path.endswith(STATUS)
    )


def vehicle_lists(emulator: Emulator) -> int:
    """Vehicle list requests: one per poll round (the household fits one page)."""
    return sum(
        1
        for item in emulator.request_log
        if item.method == "GET" and item.path.endswith("/vehicles")
    )


async def step(
    hass: HomeAssistant, emulator: Emulator, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    """Move Enode's clock, then Home Assistant's; run what became due.

    In this order Home Assistant never runs ahead of Enode: a run due in the step sees Enode
    at the same moment (the other order lets it ask while Enode is still in the past).
    """
    await emulator.advance(delta.total_seconds())
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def assert_states(hass: HomeAssistant, registry: er.EntityRegistry, ids: list[str]) -> None:
    """Smart charging off: DISABLED from the policy; on: what Enode's status says."""
    smart = hass.states.get(entity_id(registry, "sensor", ids[0], "smart_charging_state"))
    assert smart is not None
    assert smart.state not in ("disabled", STATE_UNKNOWN)
    for vehicle in ids[1:]:
        state = hass.states.get(entity_id(registry, "sensor", vehicle, "smart_charging_state"))
        assert state is not None
        assert state.state == "disabled"


async def test_push_down_one_status_request_per_round_for_the_smart_vehicle(
    hass: HomeAssistant,
    emulator: Emulator,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    config_entry: MockConfigEntry,
) -> None:
    """Without push each round asks for the one smart vehicle's status, never the others'."""
    freezer.move_to(START)
    ids = vehicles(emulator)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert not await push_healthy(hass, config_entry)
    assert status_requests(emulator) == {VEHICLE: 1}
    assert_states(hass, entity_registry, ids)
    for round_ in range(2, 6):
        lists = vehicle_lists(emulator)
        await step(hass, emulator, freezer, POLL_INTERVAL_NO_PUSH)
        assert vehicle_lists(emulator) == lists + 1  # a poll round happened
        assert status_requests(emulator) == {VEHICLE: round_}
    assert_states(hass, entity_registry, ids)


@pytest.mark.usefixtures("ha_client")  # Home Assistant reachable: push
async def test_push_healthy_status_requests_only_at_startup(
    hass: HomeAssistant,
    emulator: Emulator,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    config_entry: MockConfigEntry,
) -> None:
    """With push: the smart vehicle's status once at startup, then none for a day and more.

    The day includes the daily safety poll (a full poll) and the smart vehicle's plan, whose
    statuses arrive as webhook events.
    """
    freezer.move_to(START)
    ids = vehicles(emulator)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await step(hass, emulator, freezer, timedelta(seconds=5))  # a delivery: push healthy
    assert await push_healthy(hass, config_entry)
    assert status_requests(emulator) == {VEHICLE: 1}
    lists = vehicle_lists(emulator)
    for _ in range(int(timedelta(hours=25) / STEP)):
        await step(hass, emulator, freezer, STEP)
    assert await push_healthy(hass, config_entry)
    assert vehicle_lists(emulator) > lists  # the safety poll ran
    assert status_requests(emulator) == {VEHICLE: 1}
    assert_states(hass, entity_registry, ids)
