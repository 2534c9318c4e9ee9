"""Scenario loading: the built-in `demo` household or a JSON description."""

from __future__ import annotations

from datetime import timedelta
import json
from pathlib import Path
from typing import Any
import uuid

from .assets import build_asset, default_scopes
from .catalog import HEM_VENDORS, VENDOR_TYPES, product
from .models import DEFAULT_PRICES, JSON, ActionOutcome
from .state import Store

DEMO: JSON = {
    "users": [
        {
            "id": "demo-user",
            "site": {
                "id": "8d2f7c1e-4b0a-4c1e-9a51-0d3f5b6e7a01",
                "name": "Demo household",
                "latitude": 59.9139,
                "longitude": 10.7522,
                "timezone": "Europe/Oslo",
                "baseLoadKw": 0.5,
                "installedDaysAgo": 400,
                # The home Location's market price curve (NOK/kWh by local hour): the
                # default curve, spelled out so smart charging works out of the box.
                "prices": list(DEFAULT_PRICES),
                "currency": "NOK",
            },
            "assets": [
                {
                    "type": "vehicle",
                    "id": "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b01",
                    "vendor": "TESLA",
                    "state": {
                        "chargeState": {
                            "pluggedInChargerId": "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b02"
                        }
                    },
                },
                {
                    "type": "charger",
                    "id": "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b02",
                    "vendor": "ZAPTEC",
                    "state": {
                        "chargeState": {
                            "pluggedInVehicleId": "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b01"
                        }
                    },
                },
                {
                    "type": "battery",
                    "id": "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b03",
                    "vendor": "HUAWEI",
                },
                {"type": "hvac", "id": "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b04", "vendor": "DAIKIN"},
                {
                    "type": "inverter",
                    "id": "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b05",
                    "vendor": "HUAWEI",
                },
                {"type": "meter", "id": "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b06", "vendor": "HUAWEI"},
            ],
            "hemSystem": {"id": "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b07"},
        }
    ]
}


class ScenarioError(ValueError):
    """The scenario cannot be loaded."""


def read_scenario(source: str | Path | JSON) -> JSON:
    """Return the scenario dict for "demo", a JSON file path or a dict."""
    if isinstance(source, dict):
        return source
    if str(source) == "demo":
        return DEMO
    if str(source).startswith(SCALE_PREFIX):
        count, _, smart = str(source).removeprefix(SCALE_PREFIX).partition(":")
        try:
            return scale_scenario(int(count), int(smart or 0))
        except ValueError as err:
            raise ScenarioError(f"Use scale:ASSETS[:SMART_VEHICLES], not {source}") from err
    try:
        data: Any = json.loads(Path(source).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ScenarioError(f"Cannot read scenario {source}: {err}") from err
    if not isinstance(data, dict):
        raise ScenarioError("A scenario must be a JSON object")
    return data


def load_scenario(store: Store, source: str | Path | JSON) -> None:
    """Create the users, sites and assets a scenario describes."""
    scenario = read_scenario(source)
    for user_spec in scenario.get("users", []):
        user_id = str(user_spec["id"])
        store.ensure_user(user_id)
        # The home site, then any further sites (each with its own assets and HEM systems).
        sites = [{**user_spec.get("site", {}), "hemSystem": user_spec.get("hemSystem", {})}]
        sites[0]["assets"] = user_spec.get("assets", [])
        sites.extend(user_spec.get("sites", []))
        for site_spec in sites:
            _load_site(store, user_id, site_spec)


def _load_site(store: Store, user_id: str, site_spec: JSON) -> None:
    """One site (an Enode Location) with its assets, grouped into HEM systems by vendor."""
    now = store.clock.now()
    site = store.add_site(
        user_id,
        site_id=site_spec.get("id"),
        name=site_spec.get("name", "Home"),
        latitude=float(site_spec.get("latitude", 59.9139)),
        longitude=float(site_spec.get("longitude", 10.7522)),
        timezone=site_spec.get("timezone", "Europe/Oslo"),
        created_at=now - timedelta(days=float(site_spec.get("installedDaysAgo", 365))),
        base_load_kw=float(site_spec.get("baseLoadKw", 0.4)),
    )
    if "prices" in site_spec:
        prices = site_spec["prices"]
        site.prices = None if prices is None else [float(value) for value in prices]
    site.currency = str(site_spec.get("currency", site.currency))
    for spec in site_spec.get("assets", []):
        add_asset_from_spec(store, user_id, spec, site_id=site.id)
    vendors = {asset.vendor for asset in store.assets.values() if asset.site_id == site.id}
    hem_spec: JSON = dict(site_spec.get("hemSystem") or {})
    for vendor in sorted(vendors & HEM_VENDORS):
        hem = store.group_hem(site, vendor, hem_id=hem_spec.pop("id", None))
        if hem is not None:
            for key in ("statisticsUnavailable", "statisticsFault"):
                if key in hem_spec:
                    hem.sim[key] = hem_spec.pop(key)


SCALE_PREFIX = "scale:"
# The demo household's mix, one group per site; the HEM system is the group's seventh asset.
_MIX: tuple[tuple[str, str], ...] = (
    ("vehicle", "TESLA"),
    ("charger", "ZAPTEC"),
    ("battery", "HUAWEI"),
    ("hvac", "DAIKIN"),
    ("inverter", "HUAWEI"),
    ("meter", "HUAWEI"),
)
_SCALE_IDS = uuid.UUID("5ca1e000-0000-4000-8000-000000000000")


def scale_scenario(assets: int, smart_vehicles: int = 0) -> JSON:
    """The demo's user with about `assets` assets in the demo's mix (`scale:ASSETS[:SMART]`).

    Groups of seven (vehicle, charger, battery, HVAC unit, inverter, meter and their HEM
    system), each at a site of its own about 1 km from the last: the first group is the demo
    household itself, ids and all. A last, partial group takes the mix's first members (its
    HEM system forms once it has a battery, and counts). The first `smart_vehicles` vehicles
    have smart charging on (deadline 07:00). Ids are stable for benchmarks and tests.
    """
    if assets < 1 or smart_vehicles < 0:
        raise ValueError("assets must be at least 1 and smart vehicles not negative")
    demo = DEMO["users"][0]
    sites: list[JSON] = []
    for group in range((assets + 6) // 7):
        size = min(7, assets - 7 * group)
        # From the battery on the group has a HEM system, which counts as one of its assets.
        members = size - 1 if size >= 3 else size
        specs: list[JSON] = []
        for kind, vendor in _MIX[:members]:
            spec: JSON = {"type": kind, "vendor": vendor}
            if group == 0:
                spec = next(dict(item) for item in demo["assets"] if item["type"] == kind)
            else:
                spec["id"] = _scale_id(group, kind)
            specs.append(spec)
        vehicle = next((spec for spec in specs if spec["type"] == "vehicle"), None)
        charger = next((spec for spec in specs if spec["type"] == "charger"), None)
        if vehicle is not None and charger is not None and group:
            vehicle["state"] = {"chargeState": {"pluggedInChargerId": charger["id"]}}
            charger["state"] = {"chargeState": {"pluggedInVehicleId": vehicle["id"]}}
        if vehicle is not None and group < smart_vehicles:
            policy = {"isEnabled": True, "deadline": "07:00", "minimumChargeLimit": 0}
            vehicle["state"] = {**vehicle.get("state", {}), "smartChargingPolicy": policy}
        site: JSON = {
            **demo["site"],
            "assets": specs,
            "hemSystem": demo["hemSystem"] if group == 0 else {"id": _scale_id(group, "hem")},
        }
        if group:
            site |= {
                "id": _scale_id(group, "site"),
                "name": f"Site {group + 1}",
                "latitude": demo["site"]["latitude"] + 0.01 * group,
            }
        sites.append(site)
    home = sites.pop(0)
    user: JSON = {
        "id": demo["id"],
        "site": {k: v for k, v in home.items() if k not in ("assets", "hemSystem")},
        "assets": home["assets"],
        "hemSystem": home["hemSystem"],
        "sites": sites,
    }
    return {"users": [user]}


def _scale_id(group: int, kind: str) -> str:
    return str(uuid.uuid5(_SCALE_IDS, f"{group}-{kind}"))


def add_asset_from_spec(
    store: Store, user_id: str, spec: JSON, *, site_id: str | None = None
) -> str:
    """Create one asset from a scenario/admin spec and return its id."""
    kind = spec.get("type")
    if kind not in VENDOR_TYPES:
        raise ScenarioError(f"Unknown asset type {kind!r}")
    vendor = str(spec.get("vendor", "")).upper()
    item = product(kind, vendor)
    brand = spec.get("brand") or (item.brand if item else vendor.title())
    model = spec.get("model") or (item.model if item else "Generic")
    store.ensure_user(user_id)
    site = store.sites[site_id] if site_id else store.home_site(user_id)
    asset = build_asset(
        kind,
        user_id=user_id,
        vendor=vendor,
        brand=brand,
        model=model,
        scopes=list(spec.get("scopes") or default_scopes(kind)),
        site=site,
        now=store.clock.now(),
        seq=store.next_seq(),
        asset_id=spec.get("id"),
        state=spec.get("state"),
        sim=spec.get("sim"),
    )
    asset.schedule_controlled = bool(spec.get("scheduleControlled", False))
    outcome = spec.get("actionOutcome")
    if outcome:
        asset.outcome = parse_outcome(outcome)
    store.add_asset(asset)
    return asset.id


def parse_outcome(spec: Any) -> ActionOutcome:
    """Parse an action outcome: "confirm", "cancel", "fail" or `{state, failureReason}`."""
    if isinstance(spec, str):
        spec = {"state": spec}
    if not isinstance(spec, dict):
        raise ScenarioError("An action outcome must be a string or an object")
    state = {"confirm": "CONFIRMED", "fail": "FAILED", "cancel": "CANCELLED"}.get(
        str(spec.get("state", "")).lower(), str(spec.get("state", "")).upper()
    )
    if state not in ("CONFIRMED", "FAILED", "CANCELLED"):
        raise ScenarioError(f"Unknown action outcome {spec.get('state')!r}")
    reason = spec.get("failureReason") or {}
    default_type = {"FAILED": "NO_RESPONSE", "CANCELLED": "FAILED_PRECONDITION"}.get(state)
    return ActionOutcome(
        state=state,
        failure_type=reason.get("type", default_type),
        failure_detail=reason.get("detail"),
    )
