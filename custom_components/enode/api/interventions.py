"""Interventions (what the user must do for a capability) and vendor availability.

`GET /interventions` describes, in the requested language, each intervention id that assets list
on their capabilities (SMART.md 8). `GET /integrations` lists the vendors with their asset
types and status (2024-10-01 `Integration`; older shapes are still parsed).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final, Self

from .languages import TEXT_LANGUAGES, text_language
from .parsing import JsonObject, obj, strings, text, timestamp

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

# The languages Enode translates interventions into (SMART.md 8; may grow [?]), English first.
INTERVENTION_LANGUAGES: Final = ("en-US", *sorted(TEXT_LANGUAGES - {"en-US"}))
DEFAULT_INTERVENTION_LANGUAGE: Final = "en-US"

# Vendor statuses of GET /integrations (the older /health endpoints' enum [O]).
STATUS_OUTAGE: Final = "OUTAGE"


def intervention_language(language: str | None) -> str:
    """Enode's language code closest to a BCP 47 tag (e.g. Home Assistant's), else en-US.

    The same mapping as Enode Link's (``languages.text_language``): the tag's region if Enode
    has it (``en-GB``), else the language's default region (``nb`` → ``nb-NO``, ``pt-BR`` →
    ``pt-PT``); anything else falls back to English.
    """
    return text_language(language) or DEFAULT_INTERVENTION_LANGUAGE


@dataclass(frozen=True, slots=True)
class InterventionResolution:
    """How to resolve an intervention: localized title and Markdown description."""

    title: str | None
    description: str | None
    access: str | None  # Remote or Physical
    agent: str | None  # User or ThirdParty
    # "Link" when Enode Link can resolve it (a relink session), newer docs only [D].
    action: str | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a ``resolution`` object."""
        return cls(
            title=text(data, "title"),
            description=text(data, "description"),
            access=text(data, "access"),
            agent=text(data, "agent"),
            action=text(data, "action"),
        )


@dataclass(frozen=True, slots=True)
class Intervention:
    """Something the user (or a third party) must do before a capability works again."""

    id: str
    vendor: str | None
    vendor_type: str | None
    brand: str | None
    introduced_at: datetime | None
    domain: str | None  # Account or Device
    resolution: InterventionResolution
    raw: JsonObject

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse an Intervention object."""
        return cls(
            id=text(data, "id") or "",
            vendor=text(data, "vendor"),
            vendor_type=text(data, "vendorType"),
            brand=text(data, "brand"),
            introduced_at=timestamp(data, "introducedAt"),
            domain=text(data, "domain"),
            resolution=InterventionResolution.from_dict(obj(data.get("resolution")) or {}),
            raw=dict(data),
        )

    @property
    def resolvable_by_link(self) -> bool:
        """True when a relink session through Enode Link resolves it."""
        return (self.resolution.action or "").lower() == "link"


@dataclass(frozen=True, slots=True)
class VendorIntegration:
    """One vendor of one asset type as `GET /integrations` lists it.

    2024-10-01 lists each vendor once with its ``assetTypes``; `parse_integrations` expands
    such an entry into one `VendorIntegration` per asset type (``vendor_type``), each carrying
    the whole list in ``asset_types``.
    """

    vendor: str
    vendor_type: str | None
    display_name: str | None
    portal_name: str | None
    status: str | None  # READY, ELEVATED_ERROR_RATE or OUTAGE
    linking_status: str | None
    scopes: tuple[str, ...]
    raw: JsonObject
    asset_types: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], vendor_type: str | None = None) -> Self:
        """Parse one vendor entry; ``vendor_type`` comes from the enclosing key when grouped."""
        asset_types = strings(data, "assetTypes")
        single = text(data, "vendorType") or text(data, "assetType") or vendor_type
        return cls(
            vendor=text(data, "vendor") or "",
            vendor_type=single or (asset_types[0] if len(asset_types) == 1 else None),
            display_name=text(data, "displayName") or text(data, "brand"),
            portal_name=text(data, "portalName"),
            status=text(data, "status"),
            linking_status=text(data, "linkingStatus"),
            scopes=strings(data, "scopes"),
            raw=dict(data),
            asset_types=asset_types or ((single,) if single else ()),
        )

    @property
    def is_outage(self) -> bool:
        """True when Enode reports the vendor as unavailable."""
        return (self.status or "").upper() == STATUS_OUTAGE


def parse_interventions(data: Any) -> list[Intervention]:
    """Parse the intervention list: a plain array [O]; a ``{data: [...]}`` page is tolerated.

    Entries without an id are skipped (they could not be matched to a capability).
    """
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if not isinstance(data, list):
        return []
    parsed = (Intervention.from_dict(item) for item in data if isinstance(item, dict))
    return [item for item in parsed if item.id]


def parse_integrations(data: Any) -> list[VendorIntegration]:
    """Parse `GET /integrations` in any of the shapes it may have.

    Accepted: the 2024-10-01 array of vendors with their ``assetTypes`` (one result per vendor
    and asset type), a flat array of vendor objects with ``vendorType``, a ``{data: [...]}`` page,
    or an object keyed by asset type (``{"vehicle": [...], ...}``, as the older per-type
    ``/health/{type}`` endpoints were split). Entries without a vendor are skipped.
    """
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    pairs: list[tuple[Any, str | None]] = []
    if isinstance(data, list):
        pairs = [(item, None) for item in data]
    elif isinstance(data, dict):
        pairs = [
            (item, str(key))
            for key, items in data.items()
            if isinstance(items, list)
            for item in items
        ]
    parsed: list[VendorIntegration] = []
    for item, vendor_type in pairs:
        if not isinstance(item, dict):
            continue
        entry = VendorIntegration.from_dict(item, vendor_type)
        if not entry.vendor:
            continue
        if entry.vendor_type is None and len(entry.asset_types) > 1:
            # The 2024-10-01 shape: one entry per vendor; one row per asset type here.
            parsed.extend(replace(entry, vendor_type=kind) for kind in entry.asset_types)
        else:
            parsed.append(entry)
    return parsed
