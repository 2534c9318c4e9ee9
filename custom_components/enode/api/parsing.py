"""Lenient readers for JSON values and the lenient mashumaro base of every model."""

from __future__ import annotations

from dataclasses import field
from datetime import UTC, datetime
from enum import StrEnum
import math
from typing import TYPE_CHECKING, Any, Final

from mashumaro import DataClassDictMixin, field_options
from mashumaro.config import BaseConfig
from mashumaro.types import SerializationStrategy

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


# --- mashumaro models ----------------------------------------------------------------------
# Every model is a mashumaro dataclass on `EnodeModel`. Enode's payloads are open-ended (enums
# grow without a new version, keys may be missing or null), so parsing is lenient by design:
# a value of the wrong type becomes None (or the field's empty default), an unknown enum value
# stays a string, extra keys are ignored. Nothing in a payload makes `from_dict` raise.

RAW_KEY: Final = "__aioenode_raw__"  # where `__pre_deserialize__` hands the whole object to `raw`


class _LenientFloat(SerializationStrategy):
    def deserialize(self, value: Any) -> float | None:
        return number({"v": value}, "v")


class _LenientInt(SerializationStrategy):
    def deserialize(self, value: Any) -> int | None:
        return integer({"v": value}, "v")


class _LenientStr(SerializationStrategy):
    def deserialize(self, value: Any) -> str | None:
        return value if isinstance(value, str) else None


class _LenientBool(SerializationStrategy):
    def deserialize(self, value: Any) -> bool | None:
        return value if isinstance(value, bool) else None


class _LenientDateTime(SerializationStrategy):
    def deserialize(self, value: Any) -> datetime | None:
        return parse_datetime(value)


def alias(name: str, **options: Any) -> dict[str, Any]:
    """Field metadata: the JSON key of a field (and any other mashumaro field option).

    A field with its own ``deserialize`` is passed through as it is by ``to_dict``.
    """
    if "deserialize" in options:
        options.setdefault("serialize", _identity)
    return field_options(alias=name, **options)


def _identity(value: Any) -> Any:
    return value


def value(name: str) -> Any:
    """A scalar field (number, boolean, timestamp): None when missing or mistyped."""
    return field(default=None, metadata=alias(name))


def raw_field() -> Any:
    """The ``raw`` field: the whole JSON object the model was parsed from."""
    return field(default_factory=dict, metadata=alias(RAW_KEY, deserialize=_raw))


def _raw(value: Any) -> JsonObject:
    return dict(value) if isinstance(value, dict) else {}


def text_field(name: str, default: str | None = None) -> Any:
    """A string field; anything but a string gives ``default``."""
    return field(
        default=default,
        metadata=alias(name, deserialize=lambda v: v if isinstance(v, str) else default),
    )


def label_field(name: str) -> Any:
    """A name or identifier: a string, or a whole number as its decimal text (see `label`)."""
    return field(default=None, metadata=alias(name, deserialize=lambda v: label({"v": v}, "v")))


def strings_field(name: str, *, none_if_absent: bool = False) -> Any:
    """A tuple of the strings in a JSON list (other items skipped); () or None otherwise."""

    def parse(value: Any) -> tuple[str, ...] | None:
        if not isinstance(value, list):
            return None if none_if_absent else ()
        return tuple(item for item in value if isinstance(item, str))

    return field(default=None if none_if_absent else (), metadata=alias(name, deserialize=parse))


def enum_field[E: StrEnum](name: str, enum_class: type[E]) -> Any:
    """A known enum member, the raw string when unknown (enums grow), else None."""
    return field(
        default=None, metadata=alias(name, deserialize=lambda v: enum_or_str(enum_class, v))
    )


def model_field(name: str, model: Any) -> Any:
    """A nested model; None when the value is missing or not an object."""
    return field(
        default=None,
        metadata=alias(
            name, deserialize=lambda v: model.from_dict(v) if isinstance(v, dict) else None
        ),
    )


def models_field(name: str, model: Any) -> Any:
    """A tuple of nested models from a JSON list; items that are not objects are skipped."""
    return field(
        default=(),
        metadata=alias(
            name,
            deserialize=lambda v: tuple(
                model.from_dict(item)
                for item in (v if isinstance(v, list) else ())
                if isinstance(item, dict)
            ),
        ),
    )


class EnodeModel(DataClassDictMixin):
    """Base of the models: mashumaro with lenient scalars; see the comment above."""

    __slots__ = ()

    class Config(BaseConfig):
        """Lenient scalars everywhere; no code generated for serialisation to dicts."""

        serialization_strategy = {  # noqa: RUF012 - mashumaro reads it from the class
            float: _LenientFloat(),
            int: _LenientInt(),
            str: _LenientStr(),
            bool: _LenientBool(),
            datetime: _LenientDateTime(),
        }

    @classmethod
    def __pre_deserialize__(cls, d: dict[Any, Any]) -> dict[Any, Any]:
        """Reshape (mashumaro's hook): `_prepare`, then hand the object to ``raw``."""
        data = cls._prepare(d)
        data[RAW_KEY] = d
        return data

    @classmethod
    def _prepare(cls, d: dict[str, Any]) -> dict[str, Any]:
        """Reshape the JSON object before parsing (renamed or nested keys); a copy."""
        return dict(d)
