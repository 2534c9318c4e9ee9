"""Problem+json (RFC 7807) errors, the single way the emulator reports failures."""

from __future__ import annotations

import json

from aiohttp import web

PROBLEM_BASE = "https://developers.enode.com/problems/"

_SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    422: "enode-controlled-entity",
    429: "too-many-requests",
    500: "server-error",
    502: "bad-gateway",
    503: "service-unavailable",
    504: "timeout",
}

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    422: "Enode Controlled Entity",
    429: "Too Many Requests",
    500: "Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Timeout",
}


class ProblemError(Exception):
    """Raised anywhere in a handler to answer with a problem+json response."""

    def __init__(
        self,
        status: int,
        detail: str,
        title: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Create a problem with an HTTP status, a human detail and an optional title."""
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or _TITLES.get(status, "Error")
        self.headers = headers or {}


def problem_response(
    status: int,
    detail: str,
    title: str | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """Build a problem+json response."""
    body = {
        "type": PROBLEM_BASE + _SLUGS.get(status, "error"),
        "title": title or _TITLES.get(status, "Error"),
        "detail": detail,
    }
    return web.Response(
        status=status,
        text=json.dumps(body),
        content_type="application/problem+json",
        headers=headers,
    )


def from_error(error: ProblemError) -> web.Response:
    """Turn a raised `ProblemError` into its response."""
    return problem_response(error.status, error.detail, error.title, error.headers)
