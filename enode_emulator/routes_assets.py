"""Assets (Enode API reference: vehicles, chargers, HVAC, batteries, inverters, meters, HEM).

Lists, single reads, refresh hints, a charger's or HVAC unit's Location, readiness.
"""

from __future__ import annotations

from aiohttp import web

from .catalog import TYPE_OF_PATH, AssetType
from .pagination import paginate
from .web import core_of, json_body, no_content, ok

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


@routes.put("/{kind:chargers|hvacs}/{assetId}")
async def set_asset_location(request: web.Request) -> web.Response:
    """Assign a charger or HVAC unit to a Location (`{locationId: uuid|null}`, SMART.md 6.3).

    [?] [O] has this route; whether it survives in 2024-10-01 is not known (API.md 6.9). The
    2024-10-01 SDK has it (`ChargerUpdatePayload`, `HvacUpdatePayload`).
    """
    core = core_of(request)
    asset = core.store.get_asset(_kind(request), request.match_info["assetId"])
    core.pricing.assign_location(asset, await json_body(request), core.clock.now())
    return ok(asset.data)


@routes.get("/health/ready")
async def ready(request: web.Request) -> web.Response:
    """Report readiness (204)."""
    del request
    return no_content()
