"""Interventions and service health (Enode API reference: Interventions, Service health)."""

from __future__ import annotations

from aiohttp import web

from .web import core_of, ok

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
