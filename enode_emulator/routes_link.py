"""The Link UI pages the emulator serves for the sessions of `routes_users.py`."""

from __future__ import annotations

from aiohttp import web

from .links import LinkError
from .web import core_of

routes = web.RouteTableDef()


def _error_page(error: LinkError) -> web.Response:
    return web.Response(
        status=error.status,
        content_type="text/html",
        text=(
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            "<title>Enode emulator: link error</title></head>"
            f'<body><h1>Link error</h1><p id="error">{error.message}</p></body></html>'
        ),
    )


@routes.get("/link/{token}")
async def link_page(request: web.Request) -> web.Response:
    """Show the Link page."""
    try:
        page = core_of(request).links.render(
            request.match_info["token"], request.headers.get("Accept-Language")
        )
    except LinkError as error:
        return _error_page(error)
    return web.Response(text=page, content_type="text/html")


@routes.post("/link/{token}")
async def link_submit(request: web.Request) -> web.Response:
    """Handle the Link form, then redirect to the client's redirect URI."""
    form = {key: str(value) for key, value in (await request.post()).items()}
    try:
        location = core_of(request).links.submit(request.match_info["token"], form)
    except LinkError as error:
        return _error_page(error)
    raise web.HTTPFound(location)
