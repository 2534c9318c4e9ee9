"""Hypothesis strategies for SDK-valid JSON, built from the SDK models' JSON schemas."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone
from functools import cache
from typing import Any

from hypothesis import strategies as st

from tests.contract.spec import adapter

_MAX_DEPTH = 8
_OFFSETS = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))])


def _date_time() -> st.SearchStrategy[str]:
    return st.datetimes(timezones=_OFFSETS).map(lambda moment: moment.isoformat())


def _number() -> st.SearchStrategy[float | int]:
    return st.integers(-10_000, 10_000) | st.floats(-1e6, 1e6, allow_nan=False)


def _from(schema: dict[str, Any], defs: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    if "$ref" in schema:
        return _from(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, depth)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([_from(item, defs, depth) for item in schema[key]])
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _from(schema["allOf"][0], defs, depth)
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([_from({**schema, "type": item}, defs, depth) for item in kind])
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        if depth > _MAX_DEPTH:
            properties = {k: v for k, v in properties.items() if k in required}
        return st.fixed_dictionaries(
            {k: _from(v, defs, depth + 1) for k, v in properties.items() if k in required},
            optional={
                k: _from(v, defs, depth + 1) for k, v in properties.items() if k not in required
            },
        )
    if kind == "array":
        items = schema.get("items", {})
        return st.lists(_from(items, defs, depth + 1), max_size=0 if depth > _MAX_DEPTH else 3)
    if kind == "string":
        if schema.get("format") == "date-time":
            return _date_time()
        if schema.get("format") == "date":
            return st.dates().map(lambda day: day.isoformat())
        return st.text(max_size=12)
    if kind == "integer":
        return st.integers(-10_000, 10**9)
    if kind == "number":
        return _number()
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    return st.none() | st.booleans() | st.text(max_size=5) | _number()


@cache
def valid_json(model: Any) -> st.SearchStrategy[Any]:
    """JSON values the SDK model accepts (generated from its schema, then validated)."""
    schema = adapter(model).json_schema(by_alias=True, mode="validation")
    return _from(schema, schema.get("$defs", {}), 0).filter(_accepted(model))


def _accepted(model: Any) -> Any:
    def check(value: Any) -> bool:
        try:
            adapter(model).validate_python(value)
        except ValueError:  # ValidationError included
            return False
        return True

    return check
