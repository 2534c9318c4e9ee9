"""Cursor pagination shared by every list endpoint."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from typing import Any

from .problems import ProblemError

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


def _encode(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, value = raw.partition(":")
        seq = int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError) as err:
        raise ProblemError(400, f"Invalid pagination cursor: {cursor}") from err
    if prefix != "seq":
        raise ProblemError(400, f"Invalid pagination cursor: {cursor}")
    return seq


def paginate(items: Sequence[tuple[int, Any]], query: Mapping[str, str]) -> dict[str, Any]:
    """Page `(sequence, item)` pairs newest first using Enode's cursor rules.

    Args:
        items: Pairs of a creation sequence number (higher = newer) and the JSON item.
        query: The request query (`pageSize`, `before`, `after`).

    Returns:
        The `{data, pagination: {before, after}}` envelope.

    Raises:
        ProblemError: 400 for a bad page size, a bad cursor, or both cursors at once.
    """
    if "before" in query and "after" in query:
        raise ProblemError(400, "Only one of 'before' and 'after' can be used at a time")
    raw_size = query.get("pageSize", str(DEFAULT_PAGE_SIZE))
    try:
        size = int(raw_size)
    except ValueError as err:
        raise ProblemError(400, "'pageSize' must be an integer") from err
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ProblemError(400, f"'pageSize' must be between 1 and {MAX_PAGE_SIZE}")
    ordered = sorted(items, key=lambda pair: pair[0], reverse=True)
    if "after" in query:
        bound = _decode(query["after"])
        window = [pair for pair in ordered if pair[0] < bound]
        page = window[:size]
    elif "before" in query:
        bound = _decode(query["before"])
        window = [pair for pair in ordered if pair[0] > bound]
        page = window[-size:]
    else:
        page = ordered[:size]
    has_newer = bool(page) and any(pair[0] > page[0][0] for pair in ordered)
    has_older = bool(page) and any(pair[0] < page[-1][0] for pair in ordered)
    return {
        "data": [item for _, item in page],
        "pagination": {
            "before": _encode(page[0][0]) if has_newer else None,
            "after": _encode(page[-1][0]) if has_older else None,
        },
    }
