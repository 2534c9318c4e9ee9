"""EnodeClient against the Enode emulator over loopback: every endpoint and error path."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
import json
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from aioenode import (
    ActionState,
    AssetEvent,
    AssetType,
    BatteryOperationMode,
    ChargeActionKind,
    EnodeAuthenticationError,
    EnodeBadRequestError,
    EnodeClient,
    EnodeConflictError,
    EnodeControlledEntityError,
    EnodeForbiddenError,
    EnodeNotFoundError,
    EnodeRateLimitError,
    EnodeServerError,
    EnodeTimeoutError,
    HvacMode,
    WebhookEvent,
    WebhookTestEvent,
    parse_events,
    verify_signature,
)
from enode_emulator import Emulator, EmulatorConfig

USER = "demo-user"
VEHICLE = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b01"
CHARGER = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b02"
BATTERY = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b03"
HVAC = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b04"
INVERTER = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b05"
METER = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b06"
HEM = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b07"
IDS = {
    AssetType.VEHICLE: VEHICLE,
    AssetType.CHARGER: CHARGER,
    AssetType.BATTERY: BATTERY,
    AssetType.HVAC: HVAC,
    AssetType.INVERTER: INVERTER,
    AssetType.METER: METER,
    AssetType.HEM_SYSTEM: HEM,
}


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """Run the demo scenario with a frozen clock (only advance() moves it)."""
    emu = Emulator(EmulatorConfig(scenario="demo", seed=1, speed=0, action_delay=3))
    await emu.start(host="127.0.0.1", port=0)
    yield emu
    await emu.stop()


def _make_client(session: aiohttp.ClientSession, emu: Emulator, **kwargs: float) -> EnodeClient:
    return EnodeClient(
        session,
        emu.client_id,
        emu.client_secret,
        api_url=emu.base_url,
        token_url=emu.token_url,
        retry_base_delay=0,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def client(session: aiohttp.ClientSession, emulator: Emulator) -> EnodeClient:
    """Return a client of the emulator."""
    return _make_client(session, emulator, request_timeout=5)


def _count(emu: Emulator, method: str, path: str) -> int:
    return sum(1 for e in emu.request_log if e.method == method and e.path == path)


def _token_requests(emu: Emulator) -> int:
    return _count(emu, "POST", "/oauth2/token")


async def test_reads(client: EnodeClient, emulator: Emulator) -> None:
    user = await client.get_user(USER)
    assert {v.vendor_type for v in user.linked_vendors} >= {"vehicle", "charger", "hvac"}
    for asset_type, asset_id in IDS.items():
        listed = await client.list_assets(USER, asset_type)
        assert [a.id for a in listed] == [asset_id]
        single = await client.get_asset(asset_type, asset_id)
        assert single.asset_type is asset_type
        assert single.id == asset_id
        assert single.user_id == USER
        assert single.last_updated is not None
        assert single.location is not None
    vehicle = (await client.list_vehicles(USER))[0]
    assert vehicle.charge_state is not None
    assert vehicle.charge_state.plugged_in_charger_id == CHARGER
    assert (await client.list_chargers(USER))[0].charge_state is not None
    assert (await client.list_batteries(USER))[0].config is not None
    hvac = (await client.list_hvacs(USER))[0]
    assert hvac.heat_setpoint_range is not None
    assert (await client.list_inverters(USER))[0].production_state is not None
    assert (await client.list_meters(USER))[0].energy_state is not None
    assert (await client.list_hem_systems(USER))[0].id == HEM
    await client.refresh_hint(AssetType.METER, METER)
    with pytest.raises(EnodeNotFoundError) as info:
        await client.get_asset(AssetType.VEHICLE, "no-such-vehicle")
    assert info.value.status == 404
    assert info.value.detail


async def test_pagination_across_pages(session: aiohttp.ClientSession, emulator: Emulator) -> None:
    for _ in range(24):
        emulator.add_asset("pager", {"type": "meter", "vendor": "HUAWEI"})
    client = EnodeClient(
        session,
        emulator.client_id,
        emulator.client_secret,
        api_url=emulator.base_url,
        token_url=emulator.token_url,
        page_size=10,
    )
    meters = await client.list_meters("pager")
    assert len(meters) == 24
    assert len({m.id for m in meters}) == 24
    assert _count(emulator, "GET", "/users/pager/meters") == 3
    assert _token_requests(emulator) == 1


async def test_token_cached_and_refreshed_after_expiry(
    client: EnodeClient, emulator: Emulator
) -> None:
    for _ in range(5):
        await client.get_user(USER)
    assert _token_requests(emulator) == 1
    emulator.expire_tokens()
    await client.get_user(USER)
    assert _token_requests(emulator) == 2
    statuses = [e.status for e in emulator.request_log if e.path == f"/users/{USER}"]
    assert statuses[-2:] == [401, 200]


async def test_token_expires_with_simulated_time(
    session: aiohttp.ClientSession,
) -> None:
    emu = Emulator(EmulatorConfig(scenario="demo", speed=0, token_lifetime=120))
    await emu.start(host="127.0.0.1", port=0)
    try:
        client = _make_client(session, emu)
        await client.get_user(USER)
        await emu.advance(200)  # the client still caches it (its margin is on its own clock)
        await client.get_user(USER)
        assert _token_requests(emu) == 2
    finally:
        await emu.stop()


async def test_concurrent_requests_share_one_token_request(
    client: EnodeClient, emulator: Emulator
) -> None:
    """Single-flight: 30 concurrent cold requests, then 30 after Enode expired the token."""
    await asyncio.gather(*(client.get_user(USER) for _ in range(30)))
    assert _token_requests(emulator) == 1
    emulator.expire_tokens()
    await asyncio.gather(*(client.get_user(USER) for _ in range(30)))
    assert _token_requests(emulator) == 2
    statuses = [e.status for e in emulator.request_log if e.path == f"/users/{USER}"]
    assert statuses.count(200) == 60


async def test_a_failed_token_request_is_shared_too(
    client: EnodeClient, emulator: Emulator
) -> None:
    """The token endpoint fails once: every concurrent caller sees that one failure."""
    emulator.add_fault(path="/oauth2/token", status=500, count=1)  # 500: GETs do not retry it
    results = await asyncio.gather(
        *(client.get_user(USER) for _ in range(20)), return_exceptions=True
    )
    assert all(isinstance(result, EnodeServerError) for result in results)
    assert _token_requests(emulator) == 1
    # The next caller asks again, once.
    await asyncio.gather(*(client.get_user(USER) for _ in range(20)))
    assert _token_requests(emulator) == 2


async def test_a_cancelled_caller_does_not_cancel_the_shared_request(
    client: EnodeClient, emulator: Emulator
) -> None:
    """One waiter times out; the others still get the token from the same request."""
    emulator.add_fault(path="/oauth2/token", latency=0.2, count=1)
    first = asyncio.ensure_future(client.async_get_token())
    others = [asyncio.ensure_future(client.async_get_token()) for _ in range(5)]
    await asyncio.sleep(0.05)
    first.cancel()
    tokens = await asyncio.gather(*others)
    assert len(set(tokens)) == 1
    assert _token_requests(emulator) == 1


async def test_one_token_an_hour(session: aiohttp.ClientSession) -> None:
    """A client in steady use over a simulated day asks for a token about once an hour."""
    emu = Emulator(EmulatorConfig(scenario="demo", speed=0))
    await emu.start(host="127.0.0.1", port=0)
    try:
        client = _make_client(session, emu)
        started = emu.core.clock.now()

        def simulated() -> float:
            return (emu.core.clock.now() - started).total_seconds()

        # The client's cache follows the simulated clock, as a real one follows real time.
        client._tokens._clock = simulated
        for _ in range(24 * 6):  # a request every 10 simulated minutes
            await client.get_user(USER)
            await emu.advance(600)
        assert 24 <= _token_requests(emu) <= 25
        assert all(e.status == 200 for e in emu.request_log if e.path == f"/users/{USER}")
    finally:
        await emu.stop()


async def test_bad_credentials(session: aiohttp.ClientSession, emulator: Emulator) -> None:
    client = EnodeClient(
        session,
        emulator.client_id,
        "wrong-secret",
        api_url=emulator.base_url,
        token_url=emulator.token_url,
    )
    with pytest.raises(EnodeAuthenticationError) as info:
        await client.async_get_token()
    assert info.value.status == 401


async def test_vehicle_charging_action_lifecycle(client: EnodeClient, emulator: Emulator) -> None:
    action = await client.set_charging(AssetType.VEHICLE, VEHICLE, start=True)
    assert action.kind is ChargeActionKind.START
    assert action.state is ActionState.PENDING
    assert action.target_id == VEHICLE
    assert not action.is_final
    await emulator.advance(5)
    done = await client.get_action(AssetType.VEHICLE, action.id)
    assert done.state is ActionState.CONFIRMED
    assert done.is_final
    assert done.completed_at is not None
    with pytest.raises(EnodeConflictError) as info:
        await client.cancel_action(AssetType.VEHICLE, action.id)
    assert info.value.status == 409


async def test_cancel_pending_action(client: EnodeClient) -> None:
    action = await client.set_max_current(AssetType.CHARGER, CHARGER, 10)
    assert action.target_state == {"maxCurrent": 10}
    cancelled = await client.cancel_action(AssetType.CHARGER, action.id)
    assert cancelled.state is ActionState.CANCELLED
    with pytest.raises(EnodeNotFoundError):
        await client.get_action(AssetType.CHARGER, "00000000-0000-0000-0000-000000000000")


async def test_other_controls(client: EnodeClient, emulator: Emulator) -> None:
    rate = await client.set_charge_rate_limit(CHARGER, 7.4)
    assert rate.target_type == "charger"
    mode = await client.set_battery_operation_mode(BATTERY, BatteryOperationMode.IMPORT_FOCUS)
    assert mode.target_state == {"operationMode": "IMPORT_FOCUS"}
    hold = await client.set_hvac_permanent_hold(HVAC, HvacMode.HEAT, heat_setpoint=22)
    assert hold.target_state is not None
    assert hold.target_state["mode"] == "HEAT"
    schedule = await client.set_hvac_follow_schedule(HVAC)
    assert schedule.target_state == {"holdType": "SCHEDULED"}
    await emulator.advance(5)
    assert (await client.get_action(AssetType.BATTERY, mode.id)).is_final
    assert (await client.get_action(AssetType.HVAC, schedule.id)).is_final
    battery = await client.get_asset(AssetType.BATTERY, BATTERY)
    assert battery.config is not None  # type: ignore[union-attr]
    assert battery.config.operation_mode is BatteryOperationMode.IMPORT_FOCUS  # type: ignore[union-attr]


async def test_smart_override(client: EnodeClient) -> None:
    created = await client.create_smart_override(AssetType.VEHICLE, VEHICLE)
    assert created.target_id == VEHICLE
    assert created.ended_at is None
    ended = await client.end_smart_override(AssetType.VEHICLE, VEHICLE)
    assert ended.ended_at is not None
    with pytest.raises(EnodeNotFoundError):
        await client.end_smart_override(AssetType.CHARGER, CHARGER)


async def test_400_and_422(client: EnodeClient, emulator: Emulator) -> None:
    with pytest.raises(EnodeBadRequestError) as info:
        await client.set_hvac_permanent_hold(HVAC, "HEAT", heat_setpoint=99)
    assert info.value.status == 400
    assert info.value.detail
    emulator.set_schedule_controlled(CHARGER)
    with pytest.raises(EnodeControlledEntityError) as controlled:
        await client.set_charging(AssetType.CHARGER, CHARGER, start=True)
    assert controlled.value.status == 422


async def test_links_users_and_vendors(client: EnodeClient, emulator: Emulator) -> None:
    link = await client.create_link_session(
        "new-user", scopes=["vehicle:read:data"], redirect_uri="https://ha.local/redirect"
    )
    assert link.link_url
    assert link.link_token
    relink = await client.relink_asset(VEHICLE, redirect_uri="https://ha.local/redirect")
    assert relink.link_url
    await client.disconnect_vendor(USER, "HUAWEI", AssetType.METER)
    assert await client.list_meters(USER) == []
    await client.disconnect_vendor(USER, "DAIKIN")
    assert await client.list_hvacs(USER) == []


async def test_delete_user(client: EnodeClient, emulator: Emulator) -> None:
    # Not demo-user: the emulator's DELETE of a user with a HEM system answers 404 (a bug
    # in the emulator, reported), so use a user without one.
    emulator.add_asset("leaving-user", {"type": "vehicle", "vendor": "TESLA"})
    await client.delete_user("leaving-user")
    with pytest.raises(EnodeNotFoundError):
        await client.get_user("leaving-user")


async def test_statistics(client: EnodeClient, emulator: Emulator) -> None:
    # Yesterday in the demo site's timezone: inside the valid range and fully in the past.
    today = (emulator.clock.now().astimezone(ZoneInfo("Europe/Oslo")) - timedelta(days=1)).date()
    day = await client.get_hem_system_statistics(HEM, today.isoformat())
    assert day.series["generation"].is_available
    assert day.series["generation"].points
    month = await client.get_hem_system_statistics(HEM, today.strftime("%Y-%m"))
    assert "batteryLevel" in month.series
    quarter = await client.get_inverter_statistics(INVERTER, today.year, today.month, today.day)
    assert "QUARTER_HOUR" in quarter.resolutions
    assert len(quarter.points) in (92, 96, 100)  # DST days are shorter or longer
    daily = await client.get_inverter_statistics(INVERTER, today.year, today.month)
    assert "DAY" in daily.resolutions
    with pytest.raises(EnodeBadRequestError):
        await client.get_hem_system_statistics(HEM, "1999-01-01")


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[tuple[bytes, dict[str, str]]]]]:
    """A loopback webhook receiver recording raw bodies and headers."""
    received: list[tuple[bytes, dict[str, str]]] = []

    async def handle(request: web.Request) -> web.Response:
        received.append((await request.read(), dict(request.headers)))
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/hook", handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/hook")), received
    await server.close()


async def test_webhooks_end_to_end(
    client: EnodeClient,
    emulator: Emulator,
    receiver: tuple[str, list[tuple[bytes, dict[str, str]]]],
) -> None:
    url, received = receiver
    secret = "receiver-secret-123456"
    hook = await client.create_webhook(
        url, secret, authentication={"headerName": "x-ha-auth", "headerValue": "tok"}
    )
    assert hook.is_active
    assert hook.authentication_header_name == "x-ha-auth"
    assert [w.id for w in await client.list_webhooks()] == [hook.id]
    assert (await client.get_webhook(hook.id)).url == url
    result = await client.test_webhook(hook.id)
    assert result.is_success, result.description
    body, headers = received[-1]
    assert verify_signature(secret, body, headers.get("x-enode-signature"))
    assert not verify_signature("wrong-secret", body, headers.get("x-enode-signature"))
    assert headers.get("x-ha-auth") == "tok"
    events = parse_events(body)
    assert any(isinstance(e, WebhookTestEvent) for e in events)
    # A real change produces typed asset events.
    emulator.patch_asset(METER, {"energyState": {"power": 2.5}})
    await emulator.advance(1)
    all_events: list[WebhookEvent] = [e for b, _ in received for e in parse_events(b)]
    meter_events = [
        e for e in all_events if isinstance(e, AssetEvent) and e.asset_type is AssetType.METER
    ]
    assert meter_events
    updated = await client.update_webhook(
        hook.id, events=["user:meter:updated"], authentication=None
    )
    assert updated.events == ("user:meter:updated",)
    assert updated.authentication_header_name is None
    await client.delete_webhook(hook.id)
    with pytest.raises(EnodeNotFoundError):
        await client.delete_webhook(hook.id)


# --- injected faults -----------------------------------------------------------------------


async def test_fault_403(client: EnodeClient, emulator: Emulator) -> None:
    emulator.add_fault(path="/users/*/link", status=403)
    with pytest.raises(EnodeForbiddenError) as info:
        await client.create_link_session(
            USER, scopes=["vehicle:read:data"], redirect_uri="https://x.y/z"
        )
    assert info.value.status == 403


async def test_fault_429(client: EnodeClient, emulator: Emulator) -> None:
    emulator.add_fault(path=f"/users/{USER}", status=429, retryAfter=42, count=1)
    with pytest.raises(EnodeRateLimitError) as info:
        await client.get_user(USER)
    assert info.value.retry_after == 42
    assert _count(emulator, "GET", f"/users/{USER}") == 1  # raised at once, no retry


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_fault_transient_get_retried(
    client: EnodeClient, emulator: Emulator, status: int
) -> None:
    emulator.add_fault(path=f"/users/{USER}", status=status, count=2)
    assert (await client.get_user(USER)).id == USER
    assert _count(emulator, "GET", f"/users/{USER}") == 3


async def test_fault_503_persistent(client: EnodeClient, emulator: Emulator) -> None:
    emulator.add_fault(path=f"/users/{USER}", status=503)
    with pytest.raises(EnodeServerError) as info:
        await client.get_user(USER)
    assert info.value.status == 503
    assert _count(emulator, "GET", f"/users/{USER}") == 3


async def test_fault_500_not_retried(client: EnodeClient, emulator: Emulator) -> None:
    emulator.add_fault(path=f"/users/{USER}", status=500, count=1)
    with pytest.raises(EnodeServerError):
        await client.get_user(USER)
    assert _count(emulator, "GET", f"/users/{USER}") == 1


async def test_fault_503_on_control_not_retried(client: EnodeClient, emulator: Emulator) -> None:
    emulator.add_fault(path=f"/vehicles/{VEHICLE}/charging", status=503, count=1)
    with pytest.raises(EnodeServerError):
        await client.set_charging(AssetType.VEHICLE, VEHICLE, start=True)
    assert _count(emulator, "POST", f"/vehicles/{VEHICLE}/charging") == 1


async def test_fault_401_refreshes_once(client: EnodeClient, emulator: Emulator) -> None:
    await client.get_user(USER)
    emulator.add_fault(path=f"/users/{USER}", status=401, count=1)
    await client.get_user(USER)
    assert _token_requests(emulator) == 2
    emulator.add_fault(path=f"/users/{USER}", status=401, count=2)
    with pytest.raises(EnodeAuthenticationError):
        await client.get_user(USER)
    assert _token_requests(emulator) == 3


async def test_latency_timeout(session: aiohttp.ClientSession, emulator: Emulator) -> None:
    client = _make_client(session, emulator, request_timeout=0.2)
    emulator.add_fault(path=f"/users/{USER}/vehicles", latency=1.0, count=1)
    vehicles = await client.list_vehicles(USER)  # first attempt times out, the retry succeeds
    assert [v.id for v in vehicles] == [VEHICLE]
    emulator.add_fault(path=f"/vehicles/{VEHICLE}/charging", latency=1.0, count=1)
    with pytest.raises(EnodeTimeoutError):
        await client.set_charging(AssetType.VEHICLE, VEHICLE, start=True)


async def test_no_user_id_header_and_version(client: EnodeClient, emulator: Emulator) -> None:
    # The emulator rejects Enode-User-Id with a 400, so any successful call proves its absence.
    await client.get_user(USER)
    assert json.dumps([e.status for e in emulator.request_log]) == "[200, 200]"
