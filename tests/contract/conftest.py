"""Fixtures: the emulator, a client whose session records every exchange, a webhook receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
import json
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from aioenode import EnodeClient
from enode_emulator import Emulator, EmulatorConfig

START = datetime(2025, 6, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """Loopback sockets only (the emulator and the receiver)."""


@dataclass
class Exchange:
    """One request the client sent and the answer it got."""

    method: str
    path: str
    body: Any
    status: int
    answer: Any


@dataclass
class RecordingSession:
    """Passes every request to a real aiohttp session and records the exchange."""

    session: aiohttp.ClientSession
    exchanges: list[Exchange] = field(default_factory=list)

    def post(self, *args: Any, **kwargs: Any) -> Any:
        """The token endpoint (not recorded)."""
        return self.session.post(*args, **kwargs)

    def request(self, method: str, url: str, **kwargs: Any) -> _Recording:
        """An API request."""
        return _Recording(
            self, method, url, kwargs.get("json"), self.session.request(method, url, **kwargs)
        )


class _Recording:
    def __init__(
        self, owner: RecordingSession, method: str, url: str, body: Any, context: Any
    ) -> None:
        self._owner, self._method, self._url, self._body = owner, method, url, body
        self._context = context

    async def __aenter__(self) -> aiohttp.ClientResponse:
        response: aiohttp.ClientResponse = await self._context.__aenter__()
        raw = await response.read()  # cached: the client reads the same bytes
        try:
            answer = json.loads(raw) if raw.strip() else None
        except ValueError:
            answer = raw.decode(errors="replace")
        self._owner.exchanges.append(
            Exchange(self._method, response.url.path, self._body, response.status, answer)
        )
        return response

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._context.__aexit__(exc_type, exc, tb)


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """The demo household on a frozen clock."""
    emu = Emulator(EmulatorConfig(speed=0, seed=7, start_time=START, action_delay=5))
    await emu.start()
    yield emu
    await emu.stop()


@pytest.fixture
async def recording() -> AsyncIterator[RecordingSession]:
    """A recording session over a real one."""
    async with aiohttp.ClientSession() as session:
        yield RecordingSession(session)


@pytest.fixture
def client(recording: RecordingSession, emulator: Emulator) -> EnodeClient:
    """The library's client, talking to the emulator through the recording session."""
    return EnodeClient(
        recording,  # type: ignore[arg-type]
        emulator.client_id,
        emulator.client_secret,
        api_url=emulator.base_url,
        token_url=emulator.token_url,
        retry_base_delay=0,
    )


@dataclass
class Receiver:
    """Receives webhook deliveries on 127.0.0.1."""

    url: str = ""
    bodies: list[bytes] = field(default_factory=list)

    def events(self) -> list[dict[str, Any]]:
        """Every event delivered so far."""
        return [event for body in self.bodies for event in json.loads(body)]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A webhook receiver."""
    received = Receiver()

    async def handle(request: web.Request) -> web.Response:
        received.bodies.append(await request.read())
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    received.url = f"http://127.0.0.1:{port}/hook"
    yield received
    await runner.cleanup()
