"""Fixtures for the API client tests: loopback sockets and a scriptable fake Enode."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
import json
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from aioenode import EnodeClient

CLIENT_ID = "client-id-123"
CLIENT_SECRET = "super-secret-client-value"

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """Allow loopback sockets in every API test (phacc disables them by default)."""


def problem(status: int, title: str, detail: str, **headers: str) -> web.Response:
    """Return an application/problem+json response."""
    return web.Response(
        status=status,
        body=json.dumps({"type": "https://x/problems/p", "title": title, "detail": detail}),
        content_type="application/problem+json",
        headers=headers,
    )


def reply(data: Any, status: int = 200) -> Handler:
    """Return a handler that answers with JSON ``data``."""

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response(data, status=status)

    return handler


def respond(response: Callable[[], web.StreamResponse]) -> Handler:
    """Wrap a response factory as a handler."""

    async def handler(request: web.Request) -> web.StreamResponse:
        return response()

    return handler


@dataclass
class Recorded:
    """One request seen by the fake server."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeEnode:
    """A scriptable stand-in for Enode: a token endpoint plus scripted API routes.

    ``script[(method, path)]`` is a list of handlers consumed in order; the last one
    is reused. Requests without a valid bearer token get a 401 problem.
    """

    base_url: str = ""
    expires_in: Any = 3599
    token_status: int = 200
    token_body: bytes | None = None
    token_count: int = 0
    valid_tokens: set[str] = field(default_factory=set)
    script: dict[tuple[str, str], list[Handler]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)

    @property
    def token_url(self) -> str:
        """Return the token endpoint URL."""
        return f"{self.base_url}/oauth2/token"

    def on(self, method: str, path: str, *handlers: Handler) -> None:
        """Script the responses of one route."""
        self.script[(method, path)] = list(handlers)

    def api_requests(self) -> list[Recorded]:
        """Return the recorded API (non-token) requests."""
        return [r for r in self.requests if r.path != "/oauth2/token"]

    async def token(self, request: web.Request) -> web.StreamResponse:
        """Issue a token for the right Basic credentials."""
        self.requests.append(await _record(request))
        self.token_count += 1
        if self.token_body is not None:
            return web.Response(status=self.token_status, body=self.token_body)
        auth = aiohttp.BasicAuth.decode(request.headers.get("Authorization", ""))
        form = await request.post()
        if (
            self.token_status != 200
            or (auth.login, auth.password) != (CLIENT_ID, CLIENT_SECRET)
            or form.get("grant_type") != "client_credentials"
        ):
            return problem(
                self.token_status if self.token_status != 200 else 401, "Unauthorized", "bad client"
            )
        token = f"token-{self.token_count}-abcdef"
        self.valid_tokens.add(token)
        return web.json_response(
            {
                "access_token": token,
                "expires_in": self.expires_in,
                "scope": "",
                "token_type": "bearer",
            }
        )

    async def api(self, request: web.Request) -> web.StreamResponse:
        """Answer an API request from the script."""
        self.requests.append(await _record(request))
        auth = request.headers.get("Authorization", "")
        if auth.removeprefix("Bearer ") not in self.valid_tokens:
            return problem(401, "Unauthorized", "Invalid or expired token")
        handlers = self.script.get((request.method, request.rel_url.raw_path))
        if not handlers:
            return problem(404, "Not Found", f"No route {request.method} {request.path}")
        handler = handlers.pop(0) if len(handlers) > 1 else handlers[0]
        return await handler(request)


async def _record(request: web.Request) -> Recorded:
    return Recorded(
        request.method,
        request.rel_url.raw_path,
        dict(request.query),
        dict(request.headers),
        await request.read(),
    )


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """Return an aiohttp session closed after the test."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
async def fake() -> AsyncIterator[FakeEnode]:
    """Run a FakeEnode on 127.0.0.1."""
    fake_enode = FakeEnode()
    app = web.Application()
    app.router.add_post("/oauth2/token", fake_enode.token)
    app.router.add_route("*", "/{tail:.*}", fake_enode.api)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    fake_enode.base_url = str(server.make_url("")).rstrip("/")
    yield fake_enode
    await server.close()


@pytest.fixture
def client(session: aiohttp.ClientSession, fake: FakeEnode) -> EnodeClient:
    """Return a client pointed at the fake server, with instant retries."""
    return EnodeClient(
        session,
        CLIENT_ID,
        CLIENT_SECRET,
        api_url=fake.base_url,
        token_url=fake.token_url,
        request_timeout=2,
        retry_base_delay=0,
    )
