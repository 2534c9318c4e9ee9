"""Interventions (what the user must do for a capability) and vendor availability.

`GET /interventions` describes, in the requested language, each intervention id that assets list
on their capabilities (SMART.md 8). `GET /integrations` lists the vendors with their asset
types and status (2024-10-01 `Integration`; older shapes are still parsed).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Final

from .languages import TEXT_LANGUAGES, text_language
from .parsing import (
    EnodeModel,
    JsonObject,
    alias,
    raw_field,
    strings,
    strings_field,
    text,
    text_field,
    value,
)

# The languages Enode translates interventions into (SMART.md 8; may grow [?]), English first.
INTERVENTION_LANGUAGES: Final = ("en-US", *sorted(TEXT_LANGUAGES - {"en-US"}))
DEFAULT_INTERVENTION_LANGUAGE: Final = "en-US"

# Vendor statuses of GET /integrations (the older /health endpoints' enum [O]).
STATUS_OUTAGE: Final = "OUTAGE"
# The asset type of an entry of the older shape grouped by type ({"vehicle": [...]}).
GROUP_KEY: Final = "__aioenode_group__"


def intervention_language(language: str | None) -> str:
    """Enode's language code closest to a BCP 47 tag (e.g. Home Assistant's), else en-US.

    The same mapping as Enode Link's (``languages.text_language``): the tag's region if Enode
    has it (``en-GB``), else the language's default region (``nb`` → ``nb-NO``, ``pt-BR`` →
    ``pt-PT``); anything else falls back to English.
    """
    return text_language(language) or DEFAULT_INTERVENTION_LANGUAGE


@dataclass(frozen=True, slots=True)
class InterventionResolution(EnodeModel):
    """How to resolve an intervention: localized title and Markdown description."""

    title: str | None = text_field("title")
    description: str | None = text_field("description")
    access: str | None = text_field("access")  # Remote or Physical
    agent: str | None = text_field("agent")  # User or ThirdParty
    # "Link" when Enode Link can resolve it (a relink session); required and nullable in
    # 2024-10-01.
    action: str | None = text_field("action")


@dataclass(frozen=True, slots=True)
class Intervention(EnodeModel):
    """Something the user (or a third party) must do before a capability works again."""

    id: str = text_field("id", "")
    vendor: str | None = text_field("vendor")
    vendor_type: str | None = text_field("vendorType")
    brand: str | None = text_field("brand")
    introduced_at: datetime | None = value("introducedAt")
    domain: str | None = text_field("domain")  # Account or Device
    resolution: InterventionResolution = field(
        default_factory=InterventionResolution,
        metadata=alias(
            "resolution",
            deserialize=lambda v: InterventionResolution.from_dict(
                v if isinstance(v, dict) else {}
            ),
        ),
    )
    raw: JsonObject = raw_field()

    @property
    def resolvable_by_link(self) -> bool:
        """True when a relink session through Enode Link resolves it."""
        return (self.resolution.action or "").lower() == "link"


@dataclass(frozen=True, slots=True)
class VendorIntegration(EnodeModel):
    """One vendor of one asset type as `GET /integrations` lists it.

    2024-10-01 lists each vendor once with its ``assetTypes``; `parse_integrations` expands
    such an entry into one `VendorIntegration` per asset type (``vendor_type``), each carrying
    the whole list in ``asset_types``.
    """

    vendor: str = text_field("vendor", "")
    vendor_type: str | None = text_field("_vendorType")
    display_name: str | None = text_field("_displayName")
    portal_name: str | None = text_field("portalName")
    status: str | None = text_field("status")  # READY, ELEVATED_ERROR_RATE or OUTAGE
    linking_status: str | None = text_field("linkingStatus")
    scopes: tuple[str, ...] = strings_field("scopes")
    raw: JsonObject = raw_field()
    asset_types: tuple[str, ...] = strings_field("_assetTypes")

    @classmethod
    def _prepare(cls, d: dict[str, Any]) -> dict[str, Any]:
        asset_types = strings(d, "assetTypes")
        single = text(d, "vendorType") or text(d, "assetType") or text(d, GROUP_KEY)
        return {
            **d,
            "_vendorType": single or (asset_types[0] if len(asset_types) == 1 else None),
            "_displayName": text(d, "displayName") or text(d, "brand"),
            "_assetTypes": list(asset_types or ((single,) if single else ())),
        }

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
        entry = VendorIntegration.from_dict(
            item if vendor_type is None else {**item, GROUP_KEY: vendor_type}
        )
        if not entry.vendor:
            continue
        if entry.vendor_type is None and len(entry.asset_types) > 1:
            # The 2024-10-01 shape: one entry per vendor; one row per asset type here.
            parsed.extend(replace(entry, vendor_type=kind) for kind in entry.asset_types)
        else:
            parsed.append(entry)
    return parsed
