"""Users, their linked vendors, and link sessions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from .parsing import JsonObject, boolean, text

if TYPE_CHECKING:
    from collections.abc import Mapping


@dataclass(frozen=True, slots=True)
class LinkedVendor:
    """A vendor account linked by a user; ``is_valid`` False means the credentials broke."""

    vendor: str | None
    vendor_type: str | None
    is_valid: bool | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a linked vendor object."""
        return cls(
            vendor=text(data, "vendor"),
            vendor_type=text(data, "vendorType"),
            is_valid=boolean(data, "isValid"),
        )


@dataclass(frozen=True, slots=True)
class User:
    """An Enode user with the vendors they linked."""

    id: str
    linked_vendors: tuple[LinkedVendor, ...]
    raw: JsonObject

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a user object."""
        vendors = data.get("linkedVendors")
        return cls(
            id=text(data, "id") or "",
            linked_vendors=tuple(
                LinkedVendor.from_dict(item)
                for item in (vendors if isinstance(vendors, list) else [])
                if isinstance(item, dict)
            ),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class LinkSession:
    """A single-use link session, valid for 24 hours."""

    link_url: str
    link_token: str | None
    raw: JsonObject

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a link session response."""
        return cls(
            link_url=text(data, "linkUrl") or "",
            link_token=text(data, "linkToken"),
            raw=dict(data),
        )
