"""Fixtures for the emulator tests: a running emulator, an authed client and a receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from enode_emulator import Emulator, EmulatorConfig

START = datetime(2025, 6, 1, 10, 0, tzinfo=UTC)
USER = "demo-user"
VEHICLE = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b01"
CHARGER = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b02"
BATTERY = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b03"
HVAC = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b04"
INVERTER = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b05"
METER = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b06"
HEM = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b07"


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """Allow loopback sockets in every emulator test."""


def make_config(**overrides: Any) -> EmulatorConfig:
    """Return a frozen-clock, deterministic config."""
    values: dict[str, Any] = {"speed": 0.0, "seed": 7, "start_time": START, "action_delay": 5.0}
    values.update(overrides)
    return EmulatorConfig(**values)


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """Run an emulator with the demo scenario on a frozen clock."""
    emu = Emulator(make_config())
    await emu.start()
    yield emu
    await emu.stop()


@dataclass
class Api:
    """A tiny authenticated client for the emulator."""

    emulator: Emulator
    session: aiohttp.ClientSession
    token: str = ""

    async def authenticate(self) -> str:
        auth = aiohttp.BasicAuth(self.emulator.client_id, self.emulator.client_secret)
        async with self.session.post(
            self.emulator.token_url, data={"grant_type": "client_credentials"}, auth=auth
        ) as response:
            assert response.status == 200
            self.token = (await response.json())["access_token"]
        return self.token

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        data: Any = None,
    ) -> tuple[int, Any, aiohttp.typedefs.LooseHeaders]:
        all_headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        all_headers.update(headers or {})
        async with self.session.request(
            method,
            self.emulator.base_url + path,
            json=json,
            params=params,
            headers=all_headers,
            data=data,
            allow_redirects=False,
        ) as response:
            text = await response.text()
            body: Any = None
            if text and response.content_type.endswith("json"):
                body = await response.json(content_type=None)
            elif text:
                body = text
            return response.status, body, response.headers

    async def get(self, path: str, **kwargs: Any) -> Any:
        status, body, _ = await self.call("GET", path, **kwargs)
        assert status == 200, body
        return body

    async def post(self, path: str, body: Any = None) -> Any:
        status, data, _ = await self.call("POST", path, json=body)
        assert status == 200, data
        return data


@pytest.fixture
async def api(emulator: Emulator) -> AsyncIterator[Api]:
    """Return an authenticated client."""
    async with aiohttp.ClientSession() as session:
        client = Api(emulator, session)
        await client.authenticate()
        yield client


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 that records deliveries."""

    url: str = ""
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    def events(self) -> list[dict[str, Any]]:
        import json  # noqa: PLC0415

        return [event for _, body in self.requests for event in json.loads(body)]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """Run a webhook receiver; queue statuses in `receiver.statuses` to fail deliveries."""
    rec = Receiver()

    async def handle(request: web.Request) -> web.Response:
        rec.requests.append((dict(request.headers), await request.read()))
        status = rec.statuses.pop(0) if rec.statuses else 200
        return web.Response(status=status, text="ok")

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    rec.url = f"http://127.0.0.1:{port}/hook"
    yield rec
    await runner.cleanup()
