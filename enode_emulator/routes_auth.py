"""The OAuth2 client-credentials token endpoint."""

from __future__ import annotations

import base64
import binascii
import hmac

from aiohttp import web

from .problems import ProblemError
from .web import core_of, ok

routes = web.RouteTableDef()


@routes.post("/oauth2/token")
async def token(request: web.Request) -> web.Response:
    """Issue a bearer token for valid client credentials (HTTP Basic)."""
    core = core_of(request)
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    try:
        client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        client_id = secret = ""
    valid = (
        scheme.lower() == "basic"
        and hmac.compare_digest(client_id, core.config.client_id)
        and hmac.compare_digest(secret, core.config.client_secret)
    )
    if not valid:
        raise ProblemError(401, "Invalid client credentials")
    form = await request.post()
    if form.get("grant_type") != "client_credentials":
        raise ProblemError(400, "grant_type must be client_credentials")
    return ok(
        {
            "access_token": core.tokens.issue(),
            "expires_in": core.config.token_lifetime,
            "scope": "",
            "token_type": "bearer",
        }
    )
