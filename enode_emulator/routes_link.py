"""Link and relink sessions, and the Link UI pages served by the emulator."""

from __future__ import annotations

from aiohttp import web

from .links import LinkError, LinkSession
from .web import core_of, json_body, ok

routes = web.RouteTableDef()


def _session_response(request: web.Request, session: LinkSession) -> web.Response:
    base = f"{request.scheme}://{request.host}"
    return ok({"linkUrl": f"{base}/link/{session.token}", "linkToken": session.token})


@routes.post("/users/{userId}/link")
async def link_user(request: web.Request) -> web.Response:
    """Open a link session for a user (creating the user if new)."""
    links = core_of(request).links
    session = links.create(request.match_info["userId"], await json_body(request))
    return _session_response(request, session)


@routes.post("/assets/{assetId}/relink")
async def relink_asset(request: web.Request) -> web.Response:
    """Open a relink session for an asset."""
    links = core_of(request).links
    session = links.create_relink(request.match_info["assetId"], await json_body(request))
    return _session_response(request, session)


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
