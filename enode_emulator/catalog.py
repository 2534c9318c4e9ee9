"""Vendors, products and scopes the emulator knows about."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

AssetType = Literal["vehicle", "charger", "battery", "hvac", "inverter", "meter", "hem-system"]
VendorType = Literal["vehicle", "charger", "battery", "hvac", "inverter", "meter"]

VENDOR_TYPES: Final[tuple[VendorType, ...]] = (
    "vehicle",
    "charger",
    "battery",
    "hvac",
    "inverter",
    "meter",
)
ASSET_TYPES: Final[tuple[AssetType, ...]] = (*VENDOR_TYPES, "hem-system")

PATH_OF: Final[dict[AssetType, str]] = {
    "vehicle": "vehicles",
    "charger": "chargers",
    "battery": "batteries",
    "hvac": "hvacs",
    "inverter": "inverters",
    "meter": "meters",
    "hem-system": "hem-systems",
}
TYPE_OF_PATH: Final[dict[str, AssetType]] = {path: kind for kind, path in PATH_OF.items()}

# Key of the asset object inside webhook events ("hemSystem" is [?] in API.md 9.3).
EVENT_KEY: Final[dict[AssetType, str]] = {
    "vehicle": "vehicle",
    "charger": "charger",
    "battery": "battery",
    "hvac": "hvac",
    "inverter": "inverter",
    "meter": "meter",
    "hem-system": "hemSystem",
}

READ_SCOPE: Final[dict[VendorType, str]] = {kind: f"{kind}:read:data" for kind in VENDOR_TYPES}
LOCATION_SCOPE: Final[dict[VendorType, str]] = {
    "vehicle": "vehicle:read:location",
    "battery": "battery:read:location",
    "inverter": "inverter:read:location",
    "meter": "meter:read:location",
}
CONTROL_SCOPE: Final[dict[VendorType, str]] = {
    "vehicle": "vehicle:control:charging",
    "charger": "charger:control:charging",
    "battery": "battery:control:operation_mode",
    "hvac": "hvac:control:mode",
}
KNOWN_SCOPES: Final[frozenset[str]] = frozenset(
    [*READ_SCOPE.values(), *LOCATION_SCOPE.values(), *CONTROL_SCOPE.values()]
)

HEM_VENDORS: Final[frozenset[str]] = frozenset(
    {"ENPHASE", "FOXESS", "GIVENERGY", "HUAWEI", "SOLAREDGE", "SOLAX", "SOLIS", "SMA", "TESLA"}
)
# DAY statistics resolution per HEM vendor in minutes (API.md 8.1).
HEM_RESOLUTION_MINUTES: Final[dict[str, int]] = {"ENPHASE": 15, "SOLAREDGE": 15}


@dataclass(frozen=True)
class Product:
    """A vendor's product offered on the Link page."""

    vendor: str
    brand: str
    model: str


PRODUCTS: Final[dict[VendorType, tuple[Product, ...]]] = {
    "vehicle": (
        Product("TESLA", "Tesla", "Model 3"),
        Product("VOLKSWAGEN", "Volkswagen", "ID.4"),
        Product("POLESTAR", "Polestar", "Polestar 2"),
        Product("KIA", "Kia", "EV6"),
    ),
    "charger": (
        Product("ZAPTEC", "Zaptec", "Go"),
        Product("EASEE", "Easee", "One"),
        Product("WALLBOX", "Wallbox", "Pulsar Plus"),
        Product("TESLA", "Tesla", "Wall Connector"),
    ),
    "battery": (
        Product("HUAWEI", "Huawei", "LUNA2000"),
        Product("TESLA", "Tesla", "Powerwall 2"),
        Product("SOLAREDGE", "SolarEdge", "Home Battery"),
        Product("ENPHASE", "Enphase", "IQ Battery 5P"),
    ),
    "hvac": (
        Product("DAIKIN", "Daikin", "Altherma 3"),
        Product("MITSUBISHI", "Mitsubishi", "Ecodan"),
        Product("NIBE", "NIBE", "S1255"),
        Product("TADO", "tado°", "Smart Thermostat X"),
    ),
    "inverter": (
        Product("HUAWEI", "Huawei", "SUN2000-10KTL-M1"),
        Product("SOLAREDGE", "SolarEdge", "SE10K"),
        Product("ENPHASE", "Enphase", "IQ8"),
        Product("TESLA", "Tesla", "Solar Inverter"),
        Product("FRONIUS", "Fronius", "Symo GEN24"),
    ),
    "meter": (
        Product("HUAWEI", "Huawei", "DTSU666-H Smart Power Sensor"),
        Product("SOLAREDGE", "SolarEdge", "Energy Meter"),
        Product("ENPHASE", "Enphase", "IQ Gateway Meter"),
        Product("TESLA", "Tesla", "Backup Gateway 2"),
    ),
}


def product(kind: VendorType, vendor: str) -> Product | None:
    """Return the product a vendor offers for an asset type, if any."""
    return next((item for item in PRODUCTS[kind] if item.vendor == vendor), None)


def vendors_for(kinds: list[VendorType]) -> list[Product]:
    """Return the products (one per vendor) of vendors that support every type in `kinds`."""
    if not kinds:
        return []
    return [item for item in PRODUCTS[kinds[0]] if all(product(k, item.vendor) for k in kinds[1:])]
