"""The aiohttp application: middlewares for logging, faults, auth and versioning."""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp.typedefs import Handler

from . import (
    admin,
    routes_assets,
    routes_auth,
    routes_control,
    routes_interventions,
    routes_link,
    routes_locations,
    routes_schedules,
    routes_smart,
    routes_stats,
    routes_tariffs,
    routes_users,
    routes_webhooks,
)
from .config import API_VERSION
from .core import Core
from .problems import ProblemError, from_error, problem_response
from .web import CORE_REF, CoreRef, core_of

PUBLIC_PREFIXES = ("/oauth2/token", "/link/", "/_emulator/")


@web.middleware
async def log_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn errors into problem+json, log every request and set `Enode-Version`."""
    try:
        response = await _dispatch(request, handler)
    except ProblemError as error:
        response = from_error(error)
    except web.HTTPException as error:
        if error.status in (301, 302, 303):
            raise
        response = problem_response(error.status, error.reason)  # pragma: no cover
    if not request.path.startswith("/_emulator/"):
        response.headers["Enode-Version"] = request.headers.get("Enode-Version", API_VERSION)
    core_of(request).log_request(request.method, request.path, response.status)
    return response


async def _dispatch(request: web.Request, handler: Handler) -> web.StreamResponse:
    unmatched = request.match_info.http_exception
    if unmatched is not None:
        if unmatched.status == 405:
            raise ProblemError(405, f"Method {request.method} is not allowed on {request.path}")
        raise ProblemError(404, f"No route for {request.method} {request.path}")
    return await handler(request)


@web.middleware
async def fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Apply injected latency and failures (never to the admin API)."""
    if request.path.startswith("/_emulator/"):
        return await handler(request)
    latency, rule = core_of(request).faults.check(request.method, request.path)
    if latency:
        await asyncio.sleep(latency)
    if rule is not None and rule.status is not None:
        headers = {"Retry-After": str(rule.retry_after)} if rule.retry_after is not None else None
        raise ProblemError(rule.status, "Injected fault", headers=headers)
    return await handler(request)


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Require a valid bearer token and refuse the legacy `Enode-User-Id` header."""
    if request.path.startswith(PUBLIC_PREFIXES):
        return await handler(request)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not core_of(request).tokens.is_valid(token.strip()):
        raise ProblemError(401, "Missing, invalid or expired access token")
    if "Enode-User-Id" in request.headers:
        raise ProblemError(400, "The Enode-User-Id header is not supported in this API version")
    return await handler(request)


def build_app(core: Core) -> web.Application:
    """Build the application serving one core."""
    app = web.Application(middlewares=[log_middleware, fault_middleware, auth_middleware])
    app[CORE_REF] = CoreRef(core)
    # In the order of the sections of Enode's API reference; then the emulator's own pages.
    for module in (
        routes_auth,
        routes_users,
        routes_assets,
        routes_control,
        routes_locations,
        routes_tariffs,
        routes_smart,
        routes_schedules,
        routes_stats,
        routes_webhooks,
        routes_interventions,
        routes_link,
        admin,
    ):
        app.router.add_routes(module.routes)
    return app
