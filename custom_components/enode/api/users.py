"""Users, their linked vendors, and link sessions."""

from __future__ import annotations

from dataclasses import dataclass

from .parsing import EnodeModel, JsonObject, models_field, raw_field, text_field, value


@dataclass(frozen=True, slots=True)
class LinkedVendor(EnodeModel):
    """A vendor account linked by a user; ``is_valid`` False means the credentials broke."""

    vendor: str | None = text_field("vendor")
    vendor_type: str | None = text_field("vendorType")
    is_valid: bool | None = value("isValid")


@dataclass(frozen=True, slots=True)
class User(EnodeModel):
    """An Enode user with the vendors they linked."""

    id: str = text_field("id", "")
    linked_vendors: tuple[LinkedVendor, ...] = models_field("linkedVendors", LinkedVendor)
    raw: JsonObject = raw_field()


@dataclass(frozen=True, slots=True)
class LinkSession(EnodeModel):
    """A single-use link session, valid for 24 hours."""

    link_url: str = text_field("linkUrl", "")
    link_token: str | None = text_field("linkToken")
    raw: JsonObject = raw_field()
