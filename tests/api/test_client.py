"""EnodeClient against a scriptable fake Enode on loopback: auth, retries, errors, endpoints."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
import json
import logging
import socket
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from aioenode import (
    UNSET,
    Action,
    AssetType,
    Battery,
    Charger,
    EnodeAuthenticationError,
    EnodeClient,
    EnodeConflictError,
    EnodeConnectionError,
    EnodeError,
    EnodeInvalidResponseError,
    EnodeNotFoundError,
    EnodeRateLimitError,
    EnodeServerError,
    EnodeTimeoutError,
    Environment,
    HemSystem,
    Hvac,
    Inverter,
    Meter,
    SmartOverride,
    StatisticsResolution,
    Vehicle,
    WebhookAuthentication,
)
from aioenode.auth import TokenManager

from .conftest import CLIENT_ID, CLIENT_SECRET, FakeEnode, Handler, problem, reply, respond

USER = {
    "id": "user-1",
    "linkedVendors": [{"vendor": "TESLA", "vendorType": "vehicle", "isValid": True}],
}


def _page(items: list[dict[str, Any]], after: str | None) -> dict[str, Any]:
    return {"data": items, "pagination": {"before": None, "after": after}}


def _slow(seconds: float, data: Any) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(seconds)
        return web.json_response(data)

    return handler


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# --- construction --------------------------------------------------------------------------


def test_environments(session: aiohttp.ClientSession) -> None:
    prod = EnodeClient(session, "id", "secret")
    assert prod.environment is Environment.PRODUCTION
    assert prod.api_url == "https://enode-api.production.enode.io"
    assert prod.token_url == "https://oauth.production.enode.io/oauth2/token"
    sandbox = EnodeClient(session, "id", "secret", environment=Environment.SANDBOX)
    assert sandbox.api_url == "https://enode-api.sandbox.enode.io"
    # A peer integration used the production token URL for sandbox; guard against it.
    assert sandbox.token_url == "https://oauth.sandbox.enode.io/oauth2/token"
    custom = EnodeClient(
        session,
        "id",
        "secret",
        environment=Environment.CUSTOM,
        api_url="http://127.0.0.1:1/",
        token_url="http://127.0.0.1:1/oauth2/token",
    )
    assert custom.api_url == "http://127.0.0.1:1"
    assert custom.token_url == "http://127.0.0.1:1/oauth2/token"
    override = EnodeClient(
        session, "id", "secret", environment=Environment.SANDBOX, api_url="http://p"
    )
    assert override.api_url == "http://p"
    assert override.token_url == "https://oauth.sandbox.enode.io/oauth2/token"
    with pytest.raises(ValueError, match="api_url"):
        EnodeClient(session, "id", "secret", environment=Environment.CUSTOM, api_url="http://x")
    assert "secret" not in repr(prod)


# --- tokens --------------------------------------------------------------------------------


async def test_token_request_and_headers(client: EnodeClient, fake: FakeEnode) -> None:
    fake.on("GET", "/users/user-1", reply(USER))
    user = await client.get_user("user-1")
    assert user.id == "user-1"
    assert user.linked_vendors[0].vendor == "TESLA"
    token_request, api_request = fake.requests
    assert token_request.path == "/oauth2/token"
    assert token_request.body == b"grant_type=client_credentials"
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    basic = aiohttp.BasicAuth.decode(token_request.headers["Authorization"])
    assert (basic.login, basic.password) == (CLIENT_ID, CLIENT_SECRET)
    assert api_request.headers["Authorization"] == "Bearer token-1-abcdef"
    assert api_request.headers["Enode-Version"] == "2024-10-01"
    assert "Enode-User-Id" not in api_request.headers


async def test_token_cached(client: EnodeClient, fake: FakeEnode) -> None:
    fake.on("GET", "/users/user-1", reply(USER))
    assert await client.async_get_token() == "token-1-abcdef"
    for _ in range(3):
        await client.get_user("user-1")
    assert fake.token_count == 1


@pytest.mark.parametrize("expires_in", [30, 60])
async def test_token_within_margin_is_refetched(
    client: EnodeClient, fake: FakeEnode, expires_in: int
) -> None:
    fake.expires_in = expires_in  # at or below the 60 s margin: never cached
    await client.async_get_token()
    await client.async_get_token()
    assert fake.token_count == 2


async def test_token_default_lifetime(client: EnodeClient, fake: FakeEnode) -> None:
    fake.expires_in = "soon"
    await client.async_get_token()
    await client.async_get_token()
    assert fake.token_count == 1


async def test_token_expiry_with_clock(session: aiohttp.ClientSession, fake: FakeEnode) -> None:
    now = [1000.0]
    manager = TokenManager(
        session, CLIENT_ID, CLIENT_SECRET, fake.token_url, request_timeout=2, clock=lambda: now[0]
    )
    assert await manager.async_get_token() == "token-1-abcdef"
    now[0] += 3599 - 61
    assert await manager.async_get_token() == "token-1-abcdef"
    now[0] += 2
    assert await manager.async_get_token() == "token-2-abcdef"
    manager.invalidate("some-other-token")
    assert await manager.async_get_token() == "token-2-abcdef"
    manager.invalidate()
    assert await manager.async_get_token() == "token-3-abcdef"


async def test_concurrent_cold_calls_share_one_token(client: EnodeClient, fake: FakeEnode) -> None:
    fake.on("GET", "/users/user-1", reply(USER))
    users = await asyncio.gather(*(client.get_user("user-1") for _ in range(100)))
    assert len(users) == 100
    assert fake.token_count == 1


@pytest.mark.parametrize("status", [400, 401])
async def test_bad_credentials(
    session: aiohttp.ClientSession, fake: FakeEnode, status: int
) -> None:
    fake.token_status = status
    bad = EnodeClient(session, CLIENT_ID, "wrong", api_url=fake.base_url, token_url=fake.token_url)
    with pytest.raises(EnodeAuthenticationError) as info:
        await bad.async_get_token()
    assert info.value.status == status
    assert info.value.detail == "bad client"
    assert "wrong" not in str(info.value)


async def test_wrong_secret_rejected(session: aiohttp.ClientSession, fake: FakeEnode) -> None:
    bad = EnodeClient(session, CLIENT_ID, "wrong", api_url=fake.base_url, token_url=fake.token_url)
    with pytest.raises(EnodeAuthenticationError):
        await bad.get_user("user-1")


@pytest.mark.parametrize(
    ("status", "body", "error_class"),
    [
        (500, b"oops", EnodeServerError),
        (429, b"", EnodeRateLimitError),
        (200, b"not json", EnodeInvalidResponseError),
        (200, b"[]", EnodeInvalidResponseError),
        (200, b'{"access_token": ""}', EnodeInvalidResponseError),
    ],
)
async def test_token_endpoint_failures(
    client: EnodeClient, fake: FakeEnode, status: int, body: bytes, error_class: type[EnodeError]
) -> None:
    fake.token_status, fake.token_body = status, body
    with pytest.raises(error_class):
        await client.async_get_token()


async def test_token_endpoint_unreachable(session: aiohttp.ClientSession) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    client = EnodeClient(
        session, CLIENT_ID, CLIENT_SECRET, api_url=url, token_url=f"{url}/t", retry_base_delay=0
    )
    with pytest.raises(EnodeConnectionError) as info:
        await client.async_get_token()
    assert not isinstance(info.value, EnodeTimeoutError)
    with pytest.raises(EnodeConnectionError):
        await client.get_user("u")


async def test_token_endpoint_timeout(session: aiohttp.ClientSession, fake: FakeEnode) -> None:
    async def slow_token(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(1)
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/t", slow_token)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        client = EnodeClient(
            session,
            CLIENT_ID,
            CLIENT_SECRET,
            api_url=fake.base_url,
            token_url=str(server.make_url("/t")),
            request_timeout=0.1,
        )
        with pytest.raises(EnodeTimeoutError):
            await client.async_get_token()
    finally:
        await server.close()


# --- 401 handling --------------------------------------------------------------------------


async def test_401_refreshes_once_and_retries(client: EnodeClient, fake: FakeEnode) -> None:
    fake.on("GET", "/users/user-1", reply(USER))
    await client.get_user("user-1")
    fake.valid_tokens.clear()  # every issued token is now expired
    await client.get_user("user-1")
    assert fake.token_count == 2
    statuses = [r.headers["Authorization"] for r in fake.api_requests()]
    assert statuses == ["Bearer token-1-abcdef", "Bearer token-1-abcdef", "Bearer token-2-abcdef"]


async def test_401_refresh_also_for_post(client: EnodeClient, fake: FakeEnode) -> None:
    fake.on("POST", "/vehicles/v/charging", reply({"id": "a", "state": "PENDING"}))
    await client.async_get_token()
    fake.valid_tokens.clear()
    action = await client.set_charging(AssetType.VEHICLE, "v", start=True)
    assert action.id == "a"
    assert len(fake.api_requests()) == 2


async def test_persistent_401(client: EnodeClient, fake: FakeEnode) -> None:
    fake.on("GET", "/users/user-1", respond(lambda: problem(401, "Unauthorized", "nope")))
    with pytest.raises(EnodeAuthenticationError) as info:
        await client.get_user("user-1")
    assert info.value.status == 401
    assert fake.token_count == 2
    assert len(fake.api_requests()) == 2


async def test_concurrent_401s_share_one_refresh(client: EnodeClient, fake: FakeEnode) -> None:
    fake.on("GET", "/users/user-1", reply(USER))
    await client.async_get_token()
    fake.valid_tokens.clear()
    await asyncio.gather(*(client.get_user("user-1") for _ in range(20)))
    assert fake.token_count == 2


# --- retries -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_get_retries_transient(client: EnodeClient, fake: FakeEnode, status: int) -> None:
    fail = respond(lambda: problem(status, "Unavailable", "try later"))
    fake.on("GET", "/users/user-1", fail, fail, reply(USER))
    assert (await client.get_user("user-1")).id == "user-1"
    assert len(fake.api_requests()) == 3


async def test_get_gives_up_after_two_retries(client: EnodeClient, fake: FakeEnode) -> None:
    fake.on("GET", "/users/user-1", respond(lambda: problem(503, "Service Unavailable", "down")))
    with pytest.raises(EnodeServerError) as info:
        await client.get_user("user-1")
    assert info.value.status == 503
    assert len(fake.api_requests()) == 3


async def test_retry_backoff_sleeps(
    session: aiohttp.ClientSession, fake: FakeEnode, monkeypatch: pytest.MonkeyPatch
) -> None:
    delays: list[float] = []
    real_sleep = asyncio.sleep

    async def fake_sleep(delay: float) -> None:
        delays.append(delay)
        await real_sleep(0)

    monkeypatch.setattr("aioenode.client.asyncio.sleep", fake_sleep)
    client = EnodeClient(
        session,
        CLIENT_ID,
        CLIENT_SECRET,
        api_url=fake.base_url,
        token_url=fake.token_url,
        retry_base_delay=1.0,
    )
    fail = respond(lambda: problem(503, "Unavailable", "x"))
    fake.on("GET", "/users/user-1", fail, fail, reply(USER))
    await client.get_user("user-1")
    assert len(delays) == 2
    assert 0.5 <= delays[0] <= 1.5
    assert 1.0 <= delays[1] <= 3.0


@pytest.mark.parametrize("status", [500, 400, 404, 409, 422])
async def test_get_does_not_retry_others(client: EnodeClient, fake: FakeEnode, status: int) -> None:
    fake.on("GET", "/users/user-1", respond(lambda: problem(status, "T", "D")))
    with pytest.raises(EnodeError):
        await client.get_user("user-1")
    assert len(fake.api_requests()) == 1


async def test_429_raised_immediately(client: EnodeClient, fake: FakeEnode) -> None:
    fake.on(
        "GET",
        "/users/user-1",
        respond(lambda: problem(429, "Too Many Requests", "slow down", **{"Retry-After": "7"})),
        reply(USER),
    )
    with pytest.raises(EnodeRateLimitError) as info:
        await client.get_user("user-1")
    assert info.value.retry_after == 7
    assert len(fake.api_requests()) == 1


@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
async def test_writes_never_retried(client: EnodeClient, fake: FakeEnode, method: str) -> None:
    fail = respond(lambda: problem(503, "Unavailable", "x"))
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "POST": lambda: client.set_charging(AssetType.CHARGER, "c", start=False),
        "PATCH": lambda: client.update_webhook("w", url="https://x"),
        "DELETE": lambda: client.delete_webhook("w"),
    }
    fake.on("POST", "/chargers/c/charging", fail, reply({}))
    fake.on("PATCH", "/webhooks/w", fail, reply({}))
    fake.on("DELETE", "/webhooks/w", fail, reply({}))
    with pytest.raises(EnodeServerError):
        await calls[method]()
    assert len(fake.api_requests()) == 1


async def test_get_timeout_retried_then_raised(
    session: aiohttp.ClientSession, fake: FakeEnode
) -> None:
    client = EnodeClient(
        session,
        CLIENT_ID,
        CLIENT_SECRET,
        api_url=fake.base_url,
        token_url=fake.token_url,
        request_timeout=0.2,
        retry_base_delay=0,
    )
    fake.on("GET", "/users/user-1", _slow(0.5, USER), reply(USER))
    assert (await client.get_user("user-1")).id == "user-1"
    fake.on("GET", "/users/user-2", _slow(0.5, USER))
    with pytest.raises(EnodeTimeoutError) as info:
        await client.get_user("user-2")
    assert isinstance(info.value, EnodeConnectionError)
    assert len([r for r in fake.api_requests() if r.path == "/users/user-2"]) == 3


async def test_post_timeout_not_retried(session: aiohttp.ClientSession, fake: FakeEnode) -> None:
    client = EnodeClient(
        session,
        CLIENT_ID,
        CLIENT_SECRET,
        api_url=fake.base_url,
        token_url=fake.token_url,
        request_timeout=0.2,
        retry_base_delay=0,
    )
    fake.on("POST", "/vehicles/v/charging", _slow(0.5, {}))
    with pytest.raises(EnodeTimeoutError):
        await client.set_charging(AssetType.VEHICLE, "v", start=True)
    assert len(fake.api_requests()) == 1


async def test_connection_error_on_api(session: aiohttp.ClientSession, fake: FakeEnode) -> None:
    client = EnodeClient(
        session,
        CLIENT_ID,
        CLIENT_SECRET,
        api_url=f"http://127.0.0.1:{_free_port()}",
        token_url=fake.token_url,
        retry_base_delay=0,
    )
    with pytest.raises(EnodeConnectionError, match="Cannot reach Enode on GET /users/u"):
        await client.get_user("u")


# --- malformed responses -------------------------------------------------------------------


@pytest.mark.parametrize(
    "response",
    [
        lambda: web.Response(body=b"<html>", content_type="text/html"),
        lambda: web.json_response([1, 2]),
        lambda: web.Response(status=200),
    ],
)
async def test_invalid_object_responses(
    client: EnodeClient, fake: FakeEnode, response: Callable[[], web.StreamResponse]
) -> None:
    fake.on("GET", "/users/u", respond(response))
    with pytest.raises(EnodeInvalidResponseError):
        await client.get_user("u")


async def test_non_json_error_body(client: EnodeClient, fake: FakeEnode) -> None:
    fake.on("GET", "/users/u", respond(lambda: web.Response(status=404, text="<html>nope</html>")))
    with pytest.raises(EnodeNotFoundError) as info:
        await client.get_user("u")
    assert str(info.value) == "Enode request failed (HTTP 404)"


@pytest.mark.parametrize(
    "page",
    [{"data": None, "pagination": {"after": None}}, {"items": []}],
)
async def test_invalid_list(client: EnodeClient, fake: FakeEnode, page: dict[str, Any]) -> None:
    fake.on("GET", "/users/u/vehicles", reply(page))
    with pytest.raises(EnodeInvalidResponseError):
        await client.list_vehicles("u")


async def test_repeated_cursor(client: EnodeClient, fake: FakeEnode) -> None:
    fake.on("GET", "/users/u/meters", reply(_page([{"id": "m"}], "same")))
    with pytest.raises(EnodeInvalidResponseError, match="repeats"):
        await client.list_meters("u")


# --- endpoints -----------------------------------------------------------------------------


async def test_pagination_follows_after(client: EnodeClient, fake: FakeEnode) -> None:
    fake.on(
        "GET",
        "/users/u/vehicles",
        reply(_page([{"id": "v1"}, {"id": "v2"}, "junk"], "c1")),
        reply(_page([{"id": "v3"}], "c2")),
        reply(_page([], None)),
    )
    vehicles = await client.list_vehicles("u")
    assert [v.id for v in vehicles] == ["v1", "v2", "v3"]
    queries = [r.query for r in fake.api_requests()]
    assert queries == [
        {"pageSize": "50"},
        {"pageSize": "50", "after": "c1"},
        {"pageSize": "50", "after": "c2"},
    ]


@pytest.mark.parametrize(
    ("method", "asset_type", "model"),
    [
        ("list_vehicles", AssetType.VEHICLE, Vehicle),
        ("list_chargers", AssetType.CHARGER, Charger),
        ("list_batteries", AssetType.BATTERY, Battery),
        ("list_hvacs", AssetType.HVAC, Hvac),
        ("list_inverters", AssetType.INVERTER, Inverter),
        ("list_meters", AssetType.METER, Meter),
        ("list_hem_systems", AssetType.HEM_SYSTEM, HemSystem),
    ],
)
async def test_typed_lists_and_get(
    client: EnodeClient, fake: FakeEnode, method: str, asset_type: AssetType, model: type
) -> None:
    fake.on("GET", f"/users/u%2F1/{asset_type.path}", reply(_page([{"id": "a1"}], None)))
    fake.on("GET", f"/{asset_type.path}/a1", reply({"id": "a1"}))
    typed = await getattr(client, method)("u/1")
    generic = await client.list_assets("u/1", asset_type)
    single = await client.get_asset(asset_type, "a1")
    assert [type(a) for a in (*typed, *generic, single)] == [model] * 3


async def test_controls(client: EnodeClient, fake: FakeEnode) -> None:
    action = {"id": "act", "state": "PENDING", "targetType": "vehicle"}
    for path in (
        "/vehicles/v/charging",
        "/chargers/c/charging",
        "/vehicles/v/max-current",
        "/chargers/c/max-current",
        "/chargers/c/charge-rate-limit",
        "/batteries/b/operation-mode",
        "/hvacs/h/permanent-hold",
        "/hvacs/h/follow-schedule",
        "/vehicles/actions/act/cancel",
    ):
        fake.on("POST", path, reply(action))
    fake.on("GET", "/chargers/actions/act", reply(action))
    results = [
        await client.set_charging(AssetType.VEHICLE, "v", start=True),
        await client.set_charging("charger", "c", start=False),  # type: ignore[arg-type]
        await client.set_max_current(AssetType.VEHICLE, "v", 16),
        await client.set_max_current(AssetType.CHARGER, "c", 10.5),
        await client.set_charge_rate_limit("c", 7.4),
        await client.set_battery_operation_mode("b", "SELF_RELIANCE"),
        await client.set_hvac_permanent_hold("h", "AUTO", heat_setpoint=20, cool_setpoint=24),
        await client.set_hvac_permanent_hold("h", "OFF"),
        await client.set_hvac_follow_schedule("h"),
        await client.get_action(AssetType.CHARGER, "act"),
        await client.cancel_action(AssetType.VEHICLE, "act"),
    ]
    assert all(isinstance(r, Action) and r.id == "act" for r in results)
    bodies = [json.loads(r.body) if r.body else None for r in fake.api_requests()]
    assert bodies == [
        {"action": "START"},
        {"action": "STOP"},
        {"maxCurrent": 16},
        {"maxCurrent": 10.5},
        {"chargeRateLimit": 7.4},
        {"operationMode": "SELF_RELIANCE"},
        {"mode": "AUTO", "heatSetpoint": 20, "coolSetpoint": 24},
        {"mode": "OFF"},
        None,
        None,
        None,
    ]


async def test_control_asset_type_validation(client: EnodeClient) -> None:
    with pytest.raises(ValueError, match="charging"):
        await client.set_charging(AssetType.HVAC, "h", start=True)
    with pytest.raises(ValueError, match="max current"):
        await client.set_max_current(AssetType.BATTERY, "b", 10)
    with pytest.raises(ValueError, match="smart override"):
        await client.create_smart_override(AssetType.METER, "m")
    with pytest.raises(ValueError, match="actions"):
        await client.get_action(AssetType.INVERTER, "a")
    with pytest.raises(ValueError, match="toaster"):
        await client.get_asset("toaster", "x")  # type: ignore[arg-type]


async def test_cancel_conflict(client: EnodeClient, fake: FakeEnode) -> None:
    fake.on("POST", "/hvacs/actions/a/cancel", reply({"id": "a", "state": "CONFIRMED"}, status=409))
    with pytest.raises(EnodeConflictError) as info:
        await client.cancel_action(AssetType.HVAC, "a")
    assert info.value.status == 409


async def test_smart_override_and_refresh_hint(client: EnodeClient, fake: FakeEnode) -> None:
    override = {"createdAt": "2025-01-01T00:00:00Z", "endedAt": None, "targetId": "v"}
    fake.on("POST", "/vehicles/v/smart-override", reply(override))
    fake.on(
        "DELETE",
        "/chargers/c/smart-override",
        reply({**override, "endedAt": "2025-01-01T01:00:00Z"}),
    )
    fake.on("POST", "/meters/m/refresh-hint", respond(lambda: web.Response(status=204)))
    created = await client.create_smart_override(AssetType.VEHICLE, "v")
    ended = await client.end_smart_override(AssetType.CHARGER, "c")
    assert isinstance(created, SmartOverride)
    assert created.ended_at is None
    assert ended.ended_at == datetime(2025, 1, 1, 1, tzinfo=UTC)
    assert await client.refresh_hint(AssetType.METER, "m") is None


async def test_users_and_links(client: EnodeClient, fake: FakeEnode) -> None:
    no_content = respond(lambda: web.Response(status=204))
    fake.on("DELETE", "/users/u", no_content)
    fake.on("DELETE", "/users/u/vendors/TESLA", no_content)
    fake.on("DELETE", "/users/u/vendors/TESLA/vehicle", no_content)
    link = {"linkUrl": "https://link/x", "linkToken": "lt"}
    fake.on("POST", "/users/u/link", reply(link))
    fake.on("POST", "/assets/a/relink", reply(link))
    await client.delete_user("u")
    await client.disconnect_vendor("u", "TESLA")
    await client.disconnect_vendor("u", "TESLA", AssetType.VEHICLE)
    session = await client.create_link_session(
        "u",
        scopes=["vehicle:read:data"],
        redirect_uri="https://ha/redirect",
        vendor="TESLA",
        vendor_type=AssetType.VEHICLE,
    )
    minimal = await client.create_link_session("u", scopes=("battery:read:data",), redirect_uri="r")
    relink = await client.relink_asset("a", redirect_uri="https://ha/redirect", language="en-GB")
    assert session.link_url == minimal.link_url == relink.link_url == "https://link/x"
    bodies = [json.loads(r.body) for r in fake.api_requests() if r.method == "POST"]
    assert bodies == [
        {
            "scopes": ["vehicle:read:data"],
            "language": "browser",
            "redirectUri": "https://ha/redirect",
            "vendor": "TESLA",
            "vendorType": "vehicle",
        },
        {"scopes": ["battery:read:data"], "language": "browser", "redirectUri": "r"},
        {"language": "en-GB", "redirectUri": "https://ha/redirect"},
    ]


async def test_webhooks(client: EnodeClient, fake: FakeEnode) -> None:
    hook = {"id": "w", "url": "https://x", "events": ["*"], "isActive": True}
    fake.on(
        "GET", "/webhooks", reply(_page([hook], "n")), reply(_page([{**hook, "id": "w2"}], None))
    )
    fake.on("GET", "/webhooks/w", reply(hook))
    fake.on("POST", "/webhooks", reply(hook))
    fake.on("PATCH", "/webhooks/w", reply(hook))
    fake.on("DELETE", "/webhooks/w", respond(lambda: web.Response(status=204)))
    fake.on(
        "POST",
        "/webhooks/w/test",
        reply({"status": "SUCCESS", "description": "ok", "response": {"code": 200}}),
    )
    assert [w.id for w in await client.list_webhooks()] == ["w", "w2"]
    assert (await client.get_webhook("w")).url == "https://x"
    await client.create_webhook("https://x", "hook-secret-value")
    await client.create_webhook(
        "https://x",
        "hook-secret-value",
        events=["user:vehicle:updated"],
        api_version=None,
        authentication=WebhookAuthentication("x-auth", "v"),
    )
    await client.update_webhook("w")
    await client.update_webhook(
        "w",
        url="https://y",
        secret="new-secret",
        events=["*"],
        api_version="2024-10-01",
        authentication={"headerName": "x-a", "headerValue": "b"},
    )
    await client.update_webhook("w", authentication=None, api_version=UNSET)
    await client.delete_webhook("w")
    result = await client.test_webhook("w")
    assert result.is_success
    assert result.response_code == 200
    bodies = [
        json.loads(r.body) for r in fake.api_requests() if r.method in ("POST", "PATCH") and r.body
    ]
    assert bodies == [
        {
            "url": "https://x",
            "secret": "hook-secret-value",
            "events": ["*"],
            "apiVersion": "2024-10-01",
        },
        {
            "url": "https://x",
            "secret": "hook-secret-value",
            "events": ["user:vehicle:updated"],
            "apiVersion": None,
            "authentication": {"headerName": "x-auth", "headerValue": "v"},
        },
        {},
        {
            "url": "https://y",
            "secret": "new-secret",
            "events": ["*"],
            "apiVersion": "2024-10-01",
            "authentication": {"headerName": "x-a", "headerValue": "b"},
        },
        {"authentication": None},
    ]


async def test_statistics(client: EnodeClient, fake: FakeEnode) -> None:
    fake.on(
        "GET",
        "/hem-systems/h/statistics",
        reply({"timeseries": {"generation": {"isAvailable": True}}}),
    )
    fake.on("GET", "/inverters/i/statistics", reply({"resolutions": {"DAY": {"data": []}}}))
    bucket = {"date": "2025-01-01T00:00:00Z", "kwhSum": 3}
    fake.on(
        "GET",
        "/users/u/statistics/charging",
        reply([bucket, "junk"]),
        reply({"data": [bucket]}),
        reply({"oops": True}),
    )
    hem = await client.get_hem_system_statistics("h", "2025-10-08")
    await client.get_hem_system_statistics("h", "2025-10")
    assert hem.series["generation"].is_available
    with pytest.raises(ValueError, match="YYYY"):
        await client.get_hem_system_statistics("h", "October")
    inverter = await client.get_inverter_statistics("i", 2025, 1)
    await client.get_inverter_statistics("i", 2025, 1, 15)
    assert inverter.resolutions == {"DAY": ()}
    start = datetime(2025, 1, 1, tzinfo=UTC)
    first = await client.get_charging_statistics("u", asset_type=AssetType.VEHICLE, start=start)
    second = await client.get_charging_statistics(
        "u",
        asset_type=AssetType.CHARGER,
        start=start,
        end=datetime(2025, 2, 1, tzinfo=UTC),
        asset_id="c",
        resolution=StatisticsResolution.HOUR,
    )
    assert [b.kwh_sum for b in (*first, *second)] == [3, 3]
    with pytest.raises(EnodeInvalidResponseError):
        await client.get_charging_statistics("u", asset_type=AssetType.VEHICLE, start=start)
    queries = [r.query for r in fake.api_requests()]
    assert queries[:4] == [
        {"interval": "2025-10-08"},
        {"interval": "2025-10"},
        {"year": "2025", "month": "1"},
        {"year": "2025", "month": "1", "day": "15"},
    ]
    assert queries[4] == {
        "startDate": "2025-01-01T00:00:00.000Z",
        "type": "vehicle",
        "resolution": "DAY",
    }
    assert queries[5] == {
        "startDate": "2025-01-01T00:00:00.000Z",
        "type": "charger",
        "resolution": "HOUR",
        "endDate": "2025-02-01T00:00:00.000Z",
        "id": "c",
    }


# --- secrecy -------------------------------------------------------------------------------


async def test_no_secrets_in_logs_or_errors(
    session: aiohttp.ClientSession, fake: FakeEnode, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    webhook_secret = "webhook-secret-do-not-leak"
    client = EnodeClient(
        session,
        CLIENT_ID,
        CLIENT_SECRET,
        api_url=fake.base_url,
        token_url=fake.token_url,
        request_timeout=0.2,
        retry_base_delay=0,
    )
    fake.on("POST", "/webhooks", respond(lambda: problem(400, "Bad Request", "already exists")))
    fake.on("GET", "/users/u", respond(lambda: problem(503, "Unavailable", "down")))
    fake.on("GET", "/users/slow", _slow(0.5, {}))
    fake.on("GET", "/users/bad", respond(lambda: web.Response(text="garbage")))
    fake.on(
        "POST",
        "/vehicles/v/charging",
        respond(lambda: problem(422, "Enode Controlled Entity", "schedule")),
    )
    errors: list[EnodeError] = []
    calls: list[Callable[[], Awaitable[Any]]] = [
        lambda: client.create_webhook("https://x", webhook_secret),
        lambda: client.get_user("u"),
        lambda: client.get_user("slow"),
        lambda: client.get_user("bad"),
        lambda: client.set_charging(AssetType.VEHICLE, "v", start=True),
    ]
    for call in calls:
        with pytest.raises(EnodeError) as info:
            await call()
        errors.append(info.value)
    fake.valid_tokens.clear()
    fake.on("GET", "/users/x", respond(lambda: problem(401, "Unauthorized", "expired")))
    with pytest.raises(EnodeAuthenticationError) as auth_info:
        await client.get_user("x")
    errors.append(auth_info.value)
    fake.token_status = 401
    fresh = EnodeClient(
        session, CLIENT_ID, CLIENT_SECRET, api_url=fake.base_url, token_url=fake.token_url
    )
    with pytest.raises(EnodeAuthenticationError) as token_info:
        await fresh.async_get_token()
    errors.append(token_info.value)
    tokens = [*sorted(fake.valid_tokens), "token-1-abcdef", "token-2-abcdef"]
    texts = [caplog.text, *(str(e) for e in errors), *(repr(e) for e in errors)]
    assert "GET /users/u -> 503" in caplog.text
    for text in texts:
        for secret in (CLIENT_SECRET, webhook_secret, *tokens):
            assert secret not in text
