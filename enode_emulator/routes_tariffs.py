"""Tariffs (Enode API reference: Tariffs; SMART.md 7): rates and a Location's tariff schedule."""

from __future__ import annotations

from aiohttp import web

from .web import core_of, json_body, no_content, ok

routes = web.RouteTableDef()


@routes.put("/tariffs/{tariffId}")
async def put_tariff(request: web.Request) -> web.Response:
    """Create or replace a tariff's rates (204)."""
    core_of(request).pricing.put_tariff(request.match_info["tariffId"], await json_body(request))
    return no_content()


@routes.get("/tariffs/{tariffId}")
async def get_tariff(request: web.Request) -> web.Response:
    """Return a tariff's rates."""
    return ok(core_of(request).pricing.get_tariff(request.match_info["tariffId"]))


@routes.put("/locations/{locationId}/tariff")
async def put_location_tariff(request: web.Request) -> web.Response:
    """Replace a location's tariff intervals (204)."""
    core = core_of(request)
    core.pricing.put_location_tariff(request.match_info["locationId"], await json_body(request))
    core.smart.tick(core.clock.now())
    return no_content()


@routes.get("/locations/{locationId}/tariff")
async def get_location_tariff(request: web.Request) -> web.Response:
    """Return a location's tariff intervals, one row per weekday."""
    return ok(core_of(request).pricing.location_tariff(request.match_info["locationId"]))
