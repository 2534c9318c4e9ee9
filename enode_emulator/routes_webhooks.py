"""Webhook management endpoints."""

from __future__ import annotations

from aiohttp import web

from .pagination import paginate
from .web import core_of, json_body, no_content, ok

routes = web.RouteTableDef()


@routes.post("/webhooks")
async def create_webhook(request: web.Request) -> web.Response:
    """Create a webhook."""
    webhooks = core_of(request).webhooks
    return ok(webhooks.create(await json_body(request)).to_json())


@routes.get("/webhooks")
async def list_webhooks(request: web.Request) -> web.Response:
    """List webhooks."""
    hooks = core_of(request).webhooks.webhooks.values()
    return ok(paginate([(hook.seq, hook.to_json()) for hook in hooks], request.query))


@routes.get("/webhooks/{webhookId}")
async def get_webhook(request: web.Request) -> web.Response:
    """Return a webhook."""
    return ok(core_of(request).webhooks.get(request.match_info["webhookId"]).to_json())


@routes.patch("/webhooks/{webhookId}")
async def update_webhook(request: web.Request) -> web.Response:
    """Update a webhook (and reactivate it)."""
    webhooks = core_of(request).webhooks
    hook = webhooks.update(request.match_info["webhookId"], await json_body(request))
    return ok(hook.to_json())


@routes.delete("/webhooks/{webhookId}")
async def delete_webhook(request: web.Request) -> web.Response:
    """Delete a webhook."""
    core_of(request).webhooks.delete(request.match_info["webhookId"])
    return no_content()


@routes.post("/webhooks/{webhookId}/test")
async def test_webhook(request: web.Request) -> web.Response:
    """Send a test event now and report the result."""
    return ok(await core_of(request).webhooks.send_test(request.match_info["webhookId"]))
