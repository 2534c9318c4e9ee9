"""Webhook subscriptions and test results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from .parsing import JsonObject, boolean, integer, obj, strings, sub, text, timestamp

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime


@dataclass(frozen=True, slots=True)
class WebhookAuthentication:
    """An extra header Enode adds to every delivery (the value is never returned by Enode)."""

    header_name: str
    header_value: str

    def as_dict(self) -> dict[str, str]:
        """Return the request body form."""
        return {"headerName": self.header_name, "headerValue": self.header_value}


@dataclass(frozen=True, slots=True)
class Webhook:
    """A webhook subscription."""

    id: str
    url: str | None
    events: tuple[str, ...]
    is_active: bool | None
    last_success: datetime | None
    created_at: datetime | None
    api_version: str | None
    authentication_header_name: str | None
    raw: JsonObject

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a webhook object."""
        return cls(
            id=text(data, "id") or "",
            url=text(data, "url"),
            events=strings(data, "events"),
            is_active=boolean(data, "isActive"),
            last_success=timestamp(data, "lastSuccess"),
            created_at=timestamp(data, "createdAt"),
            api_version=text(data, "apiVersion"),
            authentication_header_name=text(sub(data, "authentication"), "headerName"),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class WebhookTestResult:
    """Outcome of ``POST /webhooks/{id}/test``."""

    status: str | None
    description: str | None
    response_code: int | None
    response_body: str | None
    raw: JsonObject

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a webhook test response."""
        response = obj(data.get("response"))
        return cls(
            status=text(data, "status"),
            description=text(data, "description"),
            response_code=integer(response, "code"),
            response_body=text(response, "body"),
            raw=dict(data),
        )

    @property
    def is_success(self) -> bool:
        """Return whether Enode delivered the test event."""
        return self.status == "SUCCESS"
