"""Mapping of HTTP statuses and problem bodies to exceptions."""

from __future__ import annotations

from datetime import UTC, datetime
import json

import pytest

from aioenode import (
    EnodeAuthenticationError,
    EnodeBadRequestError,
    EnodeConflictError,
    EnodeControlledEntityError,
    EnodeError,
    EnodeForbiddenError,
    EnodeNotFoundError,
    EnodeRateLimitError,
    EnodeServerError,
)
from aioenode.exceptions import error_from_response, parse_retry_after


def _problem(**fields: str) -> bytes:
    return json.dumps(fields).encode()


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, EnodeBadRequestError),
        (401, EnodeAuthenticationError),
        (403, EnodeForbiddenError),
        (404, EnodeNotFoundError),
        (409, EnodeConflictError),
        (422, EnodeControlledEntityError),
        (429, EnodeRateLimitError),
        (500, EnodeServerError),
        (503, EnodeServerError),
        (418, EnodeError),
    ],
)
def test_status_mapping(status: int, error_class: type[EnodeError]) -> None:
    error = error_from_response(status, _problem(title="T", detail="D", type="https://p"))
    assert type(error) is error_class
    assert error.status == status
    assert (error.title, error.detail, error.problem_type) == ("T", "D", "https://p")
    assert str(error) == f"T: D (HTTP {status})"


def test_old_problem_shape() -> None:
    error = error_from_response(
        400, _problem(error="https://docs.enode.io/problems/bad", message="Already charging")
    )
    assert error.detail == "Already charging"
    assert error.problem_type == "https://docs.enode.io/problems/bad"
    assert error.title is None
    assert str(error) == "Already charging (HTTP 400)"


def test_new_shape_wins_over_duplicates() -> None:
    error = error_from_response(
        400, _problem(title="Action Rejected", detail="The asset is already stopped.", message="x")
    )
    assert error.detail == "The asset is already stopped."


@pytest.mark.parametrize("body", [b"", b"<html>Bad gateway</html>", b"[1]", b'{"title": 5}'])
def test_non_problem_bodies(body: bytes) -> None:
    error = error_from_response(502, body)
    assert isinstance(error, EnodeServerError)
    assert error.title is None
    assert error.detail is None
    assert str(error) == "Enode request failed (HTTP 502)"


def test_rate_limit_retry_after() -> None:
    error = error_from_response(429, b"", {"Retry-After": "12"})
    assert isinstance(error, EnodeRateLimitError)
    assert error.retry_after == 12
    assert error_from_response(429, b"").retry_after is None  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("  ", None),
        ("5", 5.0),
        ("2.5", 2.5),
        ("-3", 0.0),
        ("Wed, 01 Jan 2025 12:00:30 GMT", 30.0),
        ("Wed, 01 Jan 2025 11:00:00 GMT", 0.0),
        ("Wed, 01 Jan 2025 12:00:30", 30.0),
        ("soon", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    now = datetime(2025, 1, 1, 12, tzinfo=UTC)
    assert parse_retry_after(value, now=now) == expected


def test_retry_after_http_date_uses_clock() -> None:
    assert parse_retry_after("Wed, 01 Jan 2020 00:00:00 GMT") == 0.0


def test_plain_message() -> None:
    assert str(EnodeError()) == "Enode request failed"
    assert str(EnodeError("custom")) == "custom"
