"""Issue 27's findings against Enode's 2024-10-01 spec: the client over the emulator.

Each test failed before its fix (the finding's number is in the docstring).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest

from aioenode import (
    ActionState,
    AssetType,
    EnodeActionResolvedError,
    EnodeClient,
    EnodeConflictError,
    EnodeNotFoundError,
    EnodeNotSupportedError,
    EnodeStatisticsPendingError,
    Inverter,
    intervention_language,
    link_language,
    parse_integrations,
)
from aioenode.bodies import permanent_hold_body
from aioenode.languages import LINK_LANGUAGES, TEXT_LANGUAGES, text_language
from enode_emulator import Emulator, EmulatorConfig
from tests.api.conftest import CLIENT_ID, CLIENT_SECRET, FakeEnode, reply

USER = "demo-user"
CHARGER = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b02"
BATTERY = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b03"
HVAC = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b04"
INVERTER = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b05"
METER = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b06"
HEM = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b07"


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """The demo household on a frozen clock."""
    emu = Emulator(EmulatorConfig(seed=1, speed=0, action_delay=3))
    await emu.start(host="127.0.0.1", port=0)
    yield emu
    await emu.stop()


@pytest.fixture
def client(session: aiohttp.ClientSession, emulator: Emulator) -> EnodeClient:
    """A client of the emulator."""
    return EnodeClient(
        session,
        emulator.client_id,
        emulator.client_secret,
        api_url=emulator.base_url,
        token_url=emulator.token_url,
        retry_base_delay=0,
    )


def _requests(emulator: Emulator, method: str, path: str) -> list[int]:
    return [e.status for e in emulator.request_log if (e.method, e.path) == (method, path)]


async def test_statistics_202_raises_pending_with_retry_after(
    client: EnodeClient, emulator: Emulator
) -> None:
    """(1) A 202 (still backfilling) is never final data: a typed error with retryAfter."""
    emulator.set_statistics_pending(INVERTER, 1800)
    with pytest.raises(EnodeStatisticsPendingError, match="still collecting") as info:
        await client.get_inverter_statistics(INVERTER, 2025, 6, 2)
    error = info.value
    assert error.status == 202
    assert error.retry_at is not None
    expected = emulator.clock.now() + timedelta(seconds=1800)
    assert abs((error.retry_at - expected).total_seconds()) < 0.01  # Enode writes milliseconds
    assert error.retry_after is not None
    assert 1700 < error.retry_after <= 1800
    # The partial data travels with the error, for a caller that wants to show it.
    assert len(error.statistics.resolutions["QUARTER_HOUR"]) == 96
    assert _requests(emulator, "GET", f"/inverters/{INVERTER}/statistics") == [202]
    await emulator.advance(1800)
    stats = await client.get_inverter_statistics(INVERTER, 2025, 6, 2)
    assert len(stats.points) == 96
    assert _requests(emulator, "GET", f"/inverters/{INVERTER}/statistics") == [202, 200]


async def test_statistics_202_without_retry_after(
    session: aiohttp.ClientSession, fake: FakeEnode
) -> None:
    """(1) A 202 whose body lacks retryAfter still raises; the delay is then unknown."""
    path = "/inverters/i/statistics"
    fake.on("GET", path, reply({"timezone": "UTC", "resolutions": {}}, status=202))
    client = EnodeClient(
        session, CLIENT_ID, CLIENT_SECRET, api_url=fake.base_url, token_url=fake.token_url
    )
    with pytest.raises(EnodeStatisticsPendingError) as info:
        await client.get_inverter_statistics("i", 2025, 6)
    assert (info.value.retry_at, info.value.retry_after) == (None, None)
    assert [r.path for r in fake.api_requests()] == [path]  # a 202 is not retried


async def test_charger_smart_override_is_not_supported(
    client: EnodeClient, emulator: Emulator
) -> None:
    """(2) 2024-10-01 has no charger smart-override route: 404 maps to "not supported"."""
    for call in (client.create_smart_override, client.end_smart_override):
        with pytest.raises(EnodeNotSupportedError, match="not support smart override"):
            await call(AssetType.CHARGER, CHARGER)
    assert _requests(emulator, "POST", f"/chargers/{CHARGER}/smart-override") == [404]
    assert _requests(emulator, "DELETE", f"/chargers/{CHARGER}/smart-override") == [404]
    # With the old route switched on, a missing override is still an ordinary 404.
    emulator.config.charger_smart_override = True
    with pytest.raises(EnodeNotFoundError):
        await client.end_smart_override(AssetType.CHARGER, CHARGER)
    created = await client.create_smart_override(AssetType.CHARGER, CHARGER)
    assert created.target_id == CHARGER


async def test_hem_system_by_id_and_fallback(client: EnodeClient, emulator: Emulator) -> None:
    """(3) GET /hem-systems/{id}; without the user list, found through hemSystemId."""
    hem = await client.get_hem_system(HEM)
    assert hem.id == HEM
    members = [
        await client.get_asset(AssetType.BATTERY, BATTERY),
        await client.get_asset(AssetType.INVERTER, INVERTER),
        await client.get_asset(AssetType.METER, METER),
    ]
    assert {asset.hem_system_id for asset in members} == {HEM}
    emulator.add_fault(path=f"/users/{USER}/hem-systems", status=404)
    found = await client.find_hem_systems(USER)
    assert [item.id for item in found] == [HEM]
    assert _requests(emulator, "GET", f"/hem-systems/{HEM}") == [200, 200]
    emulator.add_fault(path=f"/users/{USER}/hem-systems", status=403)
    assert [item.id for item in await client.find_hem_systems(USER, members)] == [HEM]


async def test_integrations_read_asset_types(client: EnodeClient) -> None:
    """(4) 2024-10-01 lists each vendor once with assetTypes: one row per vendor and type."""
    listed = await client.list_integrations()
    tesla = [item for item in listed if item.vendor == "TESLA"]
    assert {item.vendor_type for item in tesla} >= {"vehicle", "charger"}
    assert all(set(item.asset_types) == {t.vendor_type for t in tesla} for item in tesla)
    # The older shape (one entry per vendor and type) still parses.
    old = parse_integrations([{"vendor": "ZAPTEC", "vendorType": "charger", "status": "READY"}])
    assert [(item.vendor_type, item.asset_types) for item in old] == [("charger", ("charger",))]
    single = parse_integrations([{"vendor": "ZAPTEC", "assetTypes": ["charger"]}])
    assert [(item.vendor_type, item.asset_types) for item in single] == [("charger", ("charger",))]


@pytest.mark.parametrize(
    ("hold", "message"),
    [
        (("HEAT", None, 20.0), "A HEAT permanent hold needs heatSetpoint"),
        (("COOL", 20.0, None), "A COOL permanent hold needs coolSetpoint"),
        (("AUTO", None, None), "A AUTO permanent hold needs heatSetpoint and coolSetpoint"),
        (("UNKNOWN", 20.0, 22.0), "needs mode HEAT, COOL, AUTO or OFF, not 'UNKNOWN'"),
    ],
)
async def test_hold_without_its_setpoint_is_refused(
    client: EnodeClient,
    emulator: Emulator,
    hold: tuple[str, float | None, float | None],
    message: str,
) -> None:
    """(5) A hold without the setpoint its mode needs is refused before anything is sent."""
    mode, heat, cool = hold
    with pytest.raises(ValueError, match=message):
        await client.set_hvac_permanent_hold(HVAC, mode, heat_setpoint=heat, cool_setpoint=cool)
    assert _requests(emulator, "POST", f"/hvacs/{HVAC}/permanent-hold") == []


def test_hold_body_has_exactly_its_setpoints() -> None:
    """(5) Each mode carries its own setpoints only."""
    assert permanent_hold_body("HEAT", heat_setpoint=21, cool_setpoint=25) == {
        "mode": "HEAT",
        "heatSetpoint": 21,
    }
    assert permanent_hold_body("OFF", heat_setpoint=21) == {"mode": "OFF"}
    assert permanent_hold_body("AUTO", heat_setpoint=19, cool_setpoint=24) == {
        "mode": "AUTO",
        "heatSetpoint": 19,
        "coolSetpoint": 24,
    }


async def test_inverter_production_statistics_capability(
    client: EnodeClient, emulator: Emulator
) -> None:
    """(6) capabilities.productionStatistics is parsed; without it there is nothing to ask."""
    inverter = await client.get_asset(AssetType.INVERTER, INVERTER)
    assert isinstance(inverter, Inverter)
    assert inverter.production_statistics is not None
    assert inverter.has_production_statistics
    emulator.patch_asset(INVERTER, {"capabilities": {"productionStatistics": {"isCapable": False}}})
    inverter = await client.get_asset(AssetType.INVERTER, INVERTER)
    assert isinstance(inverter, Inverter)
    assert not inverter.has_production_statistics


@pytest.mark.parametrize(
    ("tag", "link", "text"),
    [
        ("lt", "lt-LT", "lt-LT"),
        ("lv-LV", "lv-LV", "lv-LV"),
        ("ja", "ja-JP", "ja-JP"),
        ("pl-Latn-PL", "pl-PL", "pl-PL"),
        ("it", "it-IT", None),  # interventions are not translated into Italian
        ("en-Latn-GB", "en-GB", "en-GB"),
    ],
)
def test_2024_10_01_languages(tag: str, link: str, text: str | None) -> None:
    """(7) lt-LT, lv-LV, ja-JP and pl-PL are Enode languages in 2024-10-01."""
    assert link_language(tag) == link
    assert text_language(tag) == text
    assert intervention_language(tag) == (text or "en-US")
    assert {"lt-LT", "lv-LV", "ja-JP", "pl-PL"} <= LINK_LANGUAGES & TEXT_LANGUAGES


async def test_cancel_of_an_ended_action_returns_the_final_action(
    client: EnodeClient, emulator: Emulator
) -> None:
    """(8) The 409 body is the final Action: the error carries it."""
    action = await client.set_max_current(AssetType.CHARGER, CHARGER, 10)
    await emulator.advance(5)
    with pytest.raises(EnodeActionResolvedError, match="already ended") as info:
        await client.cancel_action(AssetType.CHARGER, action.id)
    assert isinstance(info.value, EnodeConflictError)
    assert info.value.status == 409
    assert info.value.action.id == action.id
    assert info.value.action.state is ActionState.CONFIRMED
    assert info.value.action.target_state == {"maxCurrent": 10}
