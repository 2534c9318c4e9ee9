"""OAuth2 client-credentials tokens: fetched once, cached, shared by concurrent callers.

Single-flight: callers that need a token while one is being fetched await that same request,
and share its outcome, a failure included (N concurrent callers never make N token requests,
not even when the token endpoint fails). A token is reused until shortly before its lifetime
(Enode: 3599 s) ends, so a client in use requests about one token an hour.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import TYPE_CHECKING, Any

import aiohttp

from .const import DEFAULT_TOKEN_LIFETIME, TOKEN_EXPIRY_MARGIN
from .exceptions import (
    EnodeAuthenticationError,
    EnodeConnectionError,
    EnodeInvalidResponseError,
    EnodeTimeoutError,
    error_from_response,
)

if TYPE_CHECKING:
    from collections.abc import Callable

_LOGGER = logging.getLogger(__name__)


class TokenManager:
    """Fetches and caches the access token of one Enode client."""

    def __init__(
        self,
        session: aiohttp.ClientSession | Callable[[], aiohttp.ClientSession],
        client_id: str,
        client_secret: str,
        token_url: str,
        *,
        request_timeout: float,
        expiry_margin: float = TOKEN_EXPIRY_MARGIN,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Initialise the manager; no request is made until a token is needed.

        ``session`` may be a callable returning the session to use at request time (the client
        passes one when it creates its own session lazily).
        """
        self._session = session
        self._auth = aiohttp.BasicAuth(client_id, client_secret)
        self._token_url = token_url
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)
        self._expiry_margin = expiry_margin
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        # The token request in flight, shared by every caller that needs a token meanwhile.
        self._inflight: asyncio.Task[str] | None = None
        self.requests = 0  # token requests made (diagnostics, benchmarks)

    @property
    def token_url(self) -> str:
        """Return the OAuth2 token URL."""
        return self._token_url

    def invalidate(self, token: str | None = None) -> None:
        """Forget the cached token.

        Args:
            token: If given, forget the cache only if it still holds this token, so
                that many requests failing with the same stale token refresh once.
        """
        if token is None or token == self._token:
            self._token = None
            self._expires_at = 0.0

    async def async_get_token(self) -> str:
        """Return a valid access token, fetching one if none is cached or it is expiring.

        Raises:
            EnodeAuthenticationError: The token endpoint rejected the credentials.
            EnodeConnectionError: The token endpoint could not be reached.
            EnodeInvalidResponseError: The token response was not understood.
        """
        if (token := self._cached()) is not None:
            return token
        task = self._inflight
        if task is None:
            task = self._inflight = asyncio.get_running_loop().create_task(self._refresh())
            task.add_done_callback(self._refresh_done)
        # shield: a caller that is cancelled does not cancel the request the others await.
        return await asyncio.shield(task)

    async def _refresh(self) -> str:
        token, lifetime = await self._fetch()
        self._token = token
        self._expires_at = self._clock() + max(0.0, lifetime - self._expiry_margin)
        return token

    def _refresh_done(self, task: asyncio.Task[str]) -> None:
        """The next caller after a finished request starts a new one (after a failure too)."""
        if self._inflight is task:
            self._inflight = None
        if not task.cancelled():
            task.exception()  # retrieved: every waiter may have been cancelled meanwhile

    def _cached(self) -> str | None:
        """Return the cached token if it is still fresh."""
        if self._token is not None and self._clock() < self._expires_at:
            return self._token
        return None

    async def _fetch(self) -> tuple[str, float]:
        """Request a new token; return it with its lifetime in seconds."""
        self.requests += 1
        session = (
            self._session if isinstance(self._session, aiohttp.ClientSession) else (self._session())
        )
        try:
            async with session.post(
                self._token_url,
                auth=self._auth,
                data={"grant_type": "client_credentials"},
                headers={"Accept": "application/json"},
                timeout=self._timeout,
            ) as response:
                status = response.status
                body = await response.read()
                headers = response.headers
        except TimeoutError as err:
            raise EnodeTimeoutError("Timed out requesting an Enode access token") from err
        except aiohttp.ClientError as err:
            raise EnodeConnectionError(
                f"Cannot reach the Enode token endpoint ({type(err).__name__})"
            ) from err
        _LOGGER.debug("POST token endpoint -> %s", status)
        if status in (400, 401):
            error = error_from_response(status, body, headers)
            raise EnodeAuthenticationError(
                "Enode rejected the client credentials",
                status=status,
                title=error.title,
                detail=error.detail,
                problem_type=error.problem_type,
            )
        if status >= 400:
            raise error_from_response(status, body, headers)
        return _parse_token(body)


def _parse_token(body: bytes) -> tuple[str, float]:
    """Return (access token, lifetime seconds) from a token response body."""
    try:
        data: Any = json.loads(body)
    except ValueError as err:
        raise EnodeInvalidResponseError("Token response is not JSON") from err
    token = data.get("access_token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        raise EnodeInvalidResponseError("Token response lacks an access token")
    lifetime = data.get("expires_in")
    if isinstance(lifetime, bool) or not isinstance(lifetime, int | float):
        lifetime = DEFAULT_TOKEN_LIFETIME
    return token, float(lifetime)
