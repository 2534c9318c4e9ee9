"""Users (Enode API reference: User management): users, vendor removal, Link and relink sessions.

The Link UI pages those sessions open are the emulator's own (`routes_link.py`).
"""

from __future__ import annotations

from aiohttp import web

from .links import LinkSession
from .pagination import paginate
from .web import core_of, json_body, no_content, ok

routes = web.RouteTableDef()


def _session_response(request: web.Request, session: LinkSession) -> web.Response:
    base = f"{request.scheme}://{request.host}"
    return ok({"linkUrl": f"{base}/link/{session.token}", "linkToken": session.token})


@routes.get("/users")
async def list_users(request: web.Request) -> web.Response:
    """List users."""
    users = core_of(request).store.users.values()
    return ok(paginate([(u.seq, u.list_item()) for u in users], request.query))


@routes.get("/users/{userId}")
async def get_user(request: web.Request) -> web.Response:
    """Return a user with linked vendors."""
    return ok(core_of(request).store.get_user(request.match_info["userId"]).to_json())


@routes.delete("/users/{userId}")
async def delete_user(request: web.Request) -> web.Response:
    """Delete a user and everything it owns."""
    core_of(request).store.delete_user(request.match_info["userId"])
    return no_content()


@routes.delete("/users/{userId}/vendors/{vendor}")
async def delete_vendor(request: web.Request) -> web.Response:
    """Disconnect a vendor from a user."""
    info = request.match_info
    core_of(request).store.disconnect_vendor(info["userId"], info["vendor"], None)
    return no_content()


@routes.delete("/users/{userId}/vendors/{vendor}/{vendorType}")
async def delete_vendor_type(request: web.Request) -> web.Response:
    """Disconnect one asset type of a vendor from a user."""
    info = request.match_info
    core_of(request).store.disconnect_vendor(info["userId"], info["vendor"], info["vendorType"])
    return no_content()


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
