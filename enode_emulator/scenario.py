"""Scenario loading: the built-in `demo` household or a JSON description."""

from __future__ import annotations

from datetime import timedelta
import json
from pathlib import Path
from typing import Any

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
    now = store.clock.now()
    for user_spec in scenario.get("users", []):
        user_id = str(user_spec["id"])
        store.ensure_user(user_id)
        site_spec = user_spec.get("site", {})
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
        for spec in user_spec.get("assets", []):
            add_asset_from_spec(store, user_id, spec, site_id=site.id)
        vendors = {asset.vendor for asset in store.assets.values() if asset.site_id == site.id}
        hem_spec: JSON = dict(user_spec.get("hemSystem", {}))
        for vendor in sorted(vendors & HEM_VENDORS):
            hem = store.group_hem(site, vendor, hem_id=hem_spec.pop("id", None))
            if hem is not None:
                for key in ("statisticsUnavailable", "statisticsFault"):
                    if key in hem_spec:
                        hem.sim[key] = hem_spec.pop(key)


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
