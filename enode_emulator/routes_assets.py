"""Read endpoints: assets, users, health; user and vendor removal (locations: routes_smart)."""

from __future__ import annotations

from aiohttp import web

from .catalog import TYPE_OF_PATH, AssetType
from .pagination import paginate
from .web import core_of, no_content, ok

routes = web.RouteTableDef()
_TYPES = "{kind:vehicles|chargers|batteries|hvacs|inverters|meters|hem-systems}"


def _kind(request: web.Request) -> AssetType:
    return TYPE_OF_PATH[request.match_info["kind"]]


@routes.get(f"/{_TYPES}")
async def list_assets(request: web.Request) -> web.Response:
    """List every asset of a type for the whole client."""
    assets = core_of(request).store.assets_of(_kind(request))
    return ok(paginate([(a.seq, a.data) for a in assets], request.query))


@routes.get(f"/users/{{userId}}/{_TYPES}")
async def list_user_assets(request: web.Request) -> web.Response:
    """List a user's assets of a type."""
    store = core_of(request).store
    user = store.get_user(request.match_info["userId"])
    assets = store.assets_of(_kind(request), user.id)
    return ok(paginate([(a.seq, a.data) for a in assets], request.query))


@routes.get(f"/{_TYPES}/{{assetId}}")
async def get_asset(request: web.Request) -> web.Response:
    """Return one asset."""
    return ok(core_of(request).store.get_asset(_kind(request), request.match_info["assetId"]).data)


@routes.post("/{kind:vehicles|chargers|batteries|hvacs|inverters|meters}/{assetId}/refresh-hint")
async def refresh_hint(request: web.Request) -> web.Response:
    """Accept a refresh hint (204) for a known asset."""
    core_of(request).store.get_asset(_kind(request), request.match_info["assetId"])
    return no_content()


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


@routes.get("/health/ready")
async def ready(request: web.Request) -> web.Response:
    """Report readiness (204)."""
    del request
    return no_content()
