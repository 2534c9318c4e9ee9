"""In-memory state: users, sites, assets and the helpers that change them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .catalog import AssetType
from .clock import iso

JSON = dict[str, Any]

#: The market price curve of a Location without a tariff (price per kWh by local hour 0..23,
#: NOK): cheap at night (lowest 03:00-04:00), morning peak 08:00, evening peak 18:00.
DEFAULT_PRICES: tuple[float, ...] = (
    0.62, 0.58, 0.55, 0.54, 0.56, 0.65, 0.90, 1.25, 1.40, 1.20, 1.05, 0.98,
    0.95, 0.92, 0.95, 1.05, 1.30, 1.65, 1.80, 1.55, 1.25, 1.00, 0.85, 0.72,
)  # fmt: skip


@dataclass
class Site:
    """A household: an Enode Location plus the physics parameters of the home."""

    id: str
    user_id: str
    name: str
    latitude: float
    longitude: float
    timezone: str
    created_at: datetime
    seq: int
    base_load_kw: float = 0.4
    outdoor_temperature: float = 8.0
    # Deleted through the API: hidden from every Location route and the geofence, but kept as
    # the physics household of the assets that were created there.
    deleted: bool = False
    # Hourly market price curve (local hours 0..23, price per kWh) used when no tariff
    # interval covers a moment; None = the location has no price area (SMART.md 7.4).
    prices: list[float] | None = field(default_factory=lambda: list(DEFAULT_PRICES))
    currency: str = "NOK"

    def to_json(self) -> JSON:
        """Return the Location object of the API."""
        return {
            "id": self.id,
            "userId": self.user_id,
            "name": self.name,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "timezoneName": self.timezone,
            "createdAt": iso(self.created_at),
        }


@dataclass
class User:
    """A user of the client, created implicitly by a link request."""

    id: str
    created_at: datetime
    seq: int
    linked_vendors: list[JSON] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)

    def to_json(self) -> JSON:
        """Return the User object of `GET /users/{id}`."""
        return {"id": self.id, "linkedVendors": [dict(item) for item in self.linked_vendors]}

    def list_item(self) -> JSON:
        """Return the item of `GET /users`."""
        return {"id": self.id, "createdAt": iso(self.created_at), "scopes": list(self.scopes)}


@dataclass
class ActionOutcome:
    """How the next actions on an asset resolve (set by scenario or admin)."""

    state: str = "CONFIRMED"  # CONFIRMED, FAILED or CANCELLED
    failure_type: str | None = None
    failure_detail: str | None = None


@dataclass
class Asset:
    """One asset. `data` is the API object itself; `sim` holds hidden physics values."""

    kind: AssetType
    data: JSON
    seq: int
    site_id: str
    sim: JSON = field(default_factory=dict)
    schedule_controlled: bool = False
    outcome: ActionOutcome | None = None

    @property
    def id(self) -> str:
        """Return the asset id."""
        return str(self.data["id"])

    @property
    def user_id(self) -> str:
        """Return the owning user's id."""
        return str(self.data["userId"])

    @property
    def vendor(self) -> str:
        """Return the vendor machine name."""
        return str(self.data["vendor"])


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten nested dicts into dotted paths (lists stay leaves)."""
    if isinstance(value, dict) and value:
        result: dict[str, Any] = {}
        for key, item in value.items():
            result.update(flatten(item, f"{prefix}{key}."))
        return result
    return {prefix.rstrip("."): value}


def changed_fields(before: JSON, after: JSON) -> list[str]:
    """Return the dotted paths whose values differ between two snapshots."""
    old, new = flatten(before), flatten(after)
    return sorted(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))


def set_value(asset: Asset, section: str, key: str, value: Any, now: datetime) -> bool:
    """Set `data[section][key]`; on change bump `lastUpdated` and `lastSeen`.

    Returns:
        Whether the value changed.
    """
    target = asset.data[section]
    if target.get(key) == value:
        return False
    target[key] = value
    stamp = iso(now)
    if "lastUpdated" in target:
        target["lastUpdated"] = stamp
    asset.data["lastSeen"] = stamp
    return True
