"""Webhook delivery helpers: signature verification, event parsing, secret generation."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

from .const import DEFAULT_MAX_WEBHOOK_BYTES
from .events import WebhookEvent, parse_event
from .exceptions import EnodeWebhookPayloadError

SIGNATURE_HEADER = "x-enode-signature"
DELIVERY_HEADER = "x-enode-delivery"
_SIGNATURE_PREFIX = "sha1="


def verify_signature(secret: str, raw_body: bytes, header_value: str | None) -> bool:
    """Check an ``x-enode-signature`` header against the raw request body.

    Args:
        secret: The webhook secret chosen when the webhook was created.
        raw_body: The request body exactly as received (before any JSON parsing).
        header_value: The header value, ``sha1=<hex HMAC-SHA1>``; None if missing.

    Returns:
        True only if the header carries the correct HMAC (compared in constant time).
    """
    if not header_value or not secret:
        return False
    value = header_value.strip()
    if value[: len(_SIGNATURE_PREFIX)].lower() != _SIGNATURE_PREFIX:
        return False
    expected = hmac.new(secret.encode(), raw_body, hashlib.sha1).hexdigest()
    received = value[len(_SIGNATURE_PREFIX) :].lower()
    # compare_digest needs ASCII str; a non-ASCII header can never match anyway.
    if not received.isascii():
        return False
    return hmac.compare_digest(expected, received)


def parse_events(
    raw_body: bytes, *, max_bytes: int = DEFAULT_MAX_WEBHOOK_BYTES
) -> list[WebhookEvent]:
    """Parse a webhook delivery body into typed events.

    Args:
        raw_body: The request body; Enode always sends a JSON array of event objects.
        max_bytes: Bodies larger than this are rejected without parsing.

    Returns:
        One event per array item; unknown event types come back as ``WebhookEvent``.

    Raises:
        EnodeWebhookPayloadError: The body is too large, not JSON (including nesting too deep
            for the parser), not an array, or holds an item that is not an object. This is the
            only exception it raises, whatever the bytes.
    """
    if len(raw_body) > max_bytes:
        raise EnodeWebhookPayloadError(f"Webhook body exceeds {max_bytes} bytes")
    try:
        data: Any = json.loads(raw_body)
    except (ValueError, RecursionError) as err:
        # ValueError covers bad JSON, bad UTF-8 and over-long integers; RecursionError deep
        # nesting such as [[[[...]]]].
        raise EnodeWebhookPayloadError(
            f"Webhook body is not valid JSON ({type(err).__name__})"
        ) from err
    if not isinstance(data, list):
        raise EnodeWebhookPayloadError("Webhook body is not a JSON array")
    if not all(isinstance(item, dict) for item in data):
        raise EnodeWebhookPayloadError("Webhook body holds an item that is not an object")
    try:
        return [parse_event(item) for item in data]
    except Exception as err:
        # parse_event is lenient by design; anything it still raises makes the body malformed.
        raise EnodeWebhookPayloadError(
            f"Webhook body holds an event that cannot be parsed ({type(err).__name__})"
        ) from err


def generate_webhook_secret() -> str:
    """Return a new random webhook secret (256 bits, hex encoded)."""
    return secrets.token_hex(32)
