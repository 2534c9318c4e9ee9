"""Statistics endpoints."""

from __future__ import annotations

from aiohttp import web

from .statistics import hem_statistics, inverter_statistics
from .web import core_of, ok

routes = web.RouteTableDef()


@routes.get("/hem-systems/{hemId}/statistics")
async def hem_system_statistics(request: web.Request) -> web.Response:
    """Return HEM system DAY or MONTH statistics."""
    core = core_of(request)
    hem = core.store.get_asset("hem-system", request.match_info["hemId"])
    site = core.store.sites[hem.site_id]
    ids = hem.data["batteryIds"] + hem.data["inverterIds"] + hem.data["meterIds"]
    members = [core.store.assets[key] for key in ids if key in core.store.assets]
    now = core.clock.now()
    return ok(
        hem_statistics(
            core.stats,
            hem=hem,
            site=site,
            members=members,
            interval=request.query.get("interval"),
            now=now,
        )
    )


@routes.get("/inverters/{inverterId}/statistics")
async def inverter_stats(request: web.Request) -> web.Response:
    """Return inverter production statistics (kWh) for a day or a month."""
    core = core_of(request)
    inverter = core.store.get_asset("inverter", request.match_info["inverterId"])
    site = core.store.sites[inverter.site_id]
    query = dict(request.query)
    return ok(inverter_statistics(inverter, site, query, core.clock.now(), core.config.seed))
