"""Webhook subscriptions and test results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .parsing import EnodeModel, JsonObject, obj, raw_field, strings_field, text_field, value


@dataclass(frozen=True, slots=True)
class WebhookAuthentication:
    """An extra header Enode adds to every delivery (the value is never returned by Enode)."""

    header_name: str
    header_value: str

    def as_dict(self) -> dict[str, str]:
        """Return the request body form."""
        return {"headerName": self.header_name, "headerValue": self.header_value}


@dataclass(frozen=True, slots=True)
class Webhook(EnodeModel):
    """A webhook subscription."""

    id: str = text_field("id", "")
    url: str | None = text_field("url")
    events: tuple[str, ...] = strings_field("events")
    is_active: bool | None = value("isActive")
    last_success: datetime | None = value("lastSuccess")
    created_at: datetime | None = value("createdAt")
    api_version: str | None = text_field("apiVersion")
    authentication_header_name: str | None = text_field("_authenticationHeaderName")
    raw: JsonObject = raw_field()

    @classmethod
    def _prepare(cls, d: dict[str, Any]) -> dict[str, Any]:
        authentication = obj(d.get("authentication")) or {}
        return {**d, "_authenticationHeaderName": authentication.get("headerName")}


@dataclass(frozen=True, slots=True)
class WebhookTestResult(EnodeModel):
    """Outcome of ``POST /webhooks/{id}/test``."""

    status: str | None = text_field("status")
    description: str | None = text_field("description")
    response_code: int | None = value("_responseCode")
    response_body: str | None = text_field("_responseBody")
    raw: JsonObject = raw_field()

    @classmethod
    def _prepare(cls, d: dict[str, Any]) -> dict[str, Any]:
        response = obj(d.get("response")) or {}
        return {**d, "_responseCode": response.get("code"), "_responseBody": response.get("body")}

    @property
    def is_success(self) -> bool:
        """Return whether Enode delivered the test event."""
        return self.status == "SUCCESS"
