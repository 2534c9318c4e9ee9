"""Lenient readers for JSON values: wrong types and missing keys become None."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

type JsonObject = dict[str, Any]


def obj(value: Any) -> JsonObject | None:
    """Return ``value`` if it is a JSON object, else None."""
    return value if isinstance(value, dict) else None


def sub(data: Mapping[str, Any], key: str) -> JsonObject:
    """Return the nested object at ``key``, or an empty dict when missing or not an object."""
    return obj(data.get(key)) or {}


def text(data: Mapping[str, Any] | None, key: str) -> str | None:
    """Return the string at ``key``, or None."""
    value = data.get(key) if data is not None else None
    return value if isinstance(value, str) else None


def label(data: Mapping[str, Any] | None, key: str) -> str | None:
    """Return the name or identifier at ``key`` as text, or None.

    Vendors send some names as numbers (a model ``3``, a serial number ``123456``): a whole
    number becomes its decimal text, so a name is always a string (Home Assistant 2026.12
    refuses other types in the device registry) and is not lost.
    """
    value = data.get(key) if data is not None else None
    if isinstance(value, str):
        return value
    whole = integer(data, key)
    return str(whole) if whole is not None else None


def number(data: Mapping[str, Any] | None, key: str) -> float | None:
    """Return the number at ``key`` as a finite float, or None.

    Booleans are not numbers; NaN, infinities and integers too large for a float are unusable.
    """
    value = data.get(key) if data is not None else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        result = float(value)
    except OverflowError:
        return None
    return result if math.isfinite(result) else None


def integer(data: Mapping[str, Any] | None, key: str) -> int | None:
    """Return the whole number at ``key``, or None."""
    value = number(data, key)
    return int(value) if value is not None and value.is_integer() else None


def boolean(data: Mapping[str, Any] | None, key: str) -> bool | None:
    """Return the boolean at ``key``, or None."""
    value = data.get(key) if data is not None else None
    return value if isinstance(value, bool) else None


def strings(data: Mapping[str, Any] | None, key: str) -> tuple[str, ...]:
    """Return the strings in the list at ``key`` (other items are skipped)."""
    value = data.get(key) if data is not None else None
    if not isinstance(value, list):
        return ()
    return tuple(item for item in value if isinstance(item, str))


def timestamp(data: Mapping[str, Any] | None, key: str) -> datetime | None:
    """Return the RFC 3339 timestamp at ``key`` as an aware datetime, or None."""
    return parse_datetime(data.get(key) if data is not None else None)


def parse_datetime(value: Any) -> datetime | None:
    """Parse an RFC 3339 / ISO 8601 string (``Z`` or an offset); naive values are UTC."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def enum_or_str[E: StrEnum](enum_class: type[E], value: Any) -> E | str | None:
    """Return the known enum member for ``value``, the raw string if unknown, else None.

    Enode's enums are unversioned since 2024-10-01 and may grow at any time.
    """
    if not isinstance(value, str):
        return None
    try:
        return enum_class(value)
    except ValueError:
        return value
