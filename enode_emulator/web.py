"""Small HTTP helpers shared by every route module."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .problems import ProblemError

if TYPE_CHECKING:
    from .core import Core


class CoreRef:
    """Holds the current core so an admin reset can swap it under running routes."""

    def __init__(self, core: Core) -> None:
        """Wrap a core."""
        self.core = core


CORE_REF = web.AppKey("core_ref", CoreRef)


def core_of(request: web.Request) -> Core:
    """Return the emulator core serving a request."""
    return request.app[CORE_REF].core


async def json_body(request: web.Request, *, required: bool = True) -> Any:
    """Parse a JSON request body (400 problem on invalid JSON)."""
    text = await request.text()
    if not text.strip():
        if required:
            raise ProblemError(400, "A JSON body is required", "Payload validation failed")
        return None
    try:
        return json.loads(text)
    except ValueError as err:
        raise ProblemError(400, f"Invalid JSON: {err}", "Payload validation failed") from err


def ok(data: Any, status: int = 200) -> web.Response:
    """Return a JSON response."""
    return web.json_response(data, status=status)


def no_content() -> web.Response:
    """Return 204 No Content."""
    return web.Response(status=204)
