"""Interventions and vendor availability: the API routes and their admin routes."""

from __future__ import annotations

from aiohttp import web

from .web import core_of, json_body, no_content, ok

routes = web.RouteTableDef()


@routes.get("/interventions")
async def list_interventions(request: web.Request) -> web.Response:
    """Every intervention (a plain array, SMART.md 8), filtered and in the asked language."""
    return ok(core_of(request).vendors.list_interventions(dict(request.query)))


@routes.get("/interventions/{interventionId}")
async def get_intervention(request: web.Request) -> web.Response:
    """One intervention; 404 when unknown."""
    vendors = core_of(request).vendors
    return ok(vendors.get_intervention(request.match_info["interventionId"], dict(request.query)))


@routes.get("/integrations")
async def integrations(request: web.Request) -> web.Response:
    """The vendors available per asset type, with status and scopes."""
    return ok(core_of(request).vendors.integrations())


@routes.put("/_emulator/assets/{assetId}/interventions")
async def set_interventions(request: web.Request) -> web.Response:
    """Put intervention ids on an asset's capabilities (`{interventionIds, capabilities?}`)."""
    core = core_of(request)
    asset = core.vendors.set_interventions(request.match_info["assetId"], await json_body(request))
    return ok(asset.data)


@routes.put("/_emulator/vendors/{vendor}/status")
async def set_vendor_status(request: web.Request) -> web.Response:
    """Set a vendor's status in `GET /integrations` (`{status, linkingStatus?, untyped?}`)."""
    core_of(request).vendors.set_status(request.match_info["vendor"], await json_body(request))
    return no_content()
