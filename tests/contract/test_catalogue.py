"""The emulator's fixed data against the SDK's enums, and the SDK kept out of runtime code."""

from __future__ import annotations

import ast
from pathlib import Path

from enode import models
import pytest

from enode_emulator.catalog import PRODUCTS

ROOT = Path(__file__).resolve().parents[2]
VENDOR_ENUMS = {
    "vehicle": models.VehicleVendor,
    "charger": models.ChargerVendor,
    "battery": models.BatteryVendor,
    "hvac": models.HvacVendor,
    "inverter": models.InverterVendor,
    "meter": models.MeterVendor,
}


@pytest.mark.parametrize("kind", sorted(VENDOR_ENUMS))
def test_every_product_vendor_is_in_the_spec_enum_of_its_type(kind: str) -> None:
    """Vendors are spelled as the 2024-10-01 enum of their asset type (e.g. `CSISolar`)."""
    allowed = {member.value for member in VENDOR_ENUMS[kind]}
    assert {product.vendor for product in PRODUCTS[kind]} <= allowed  # type: ignore[index]


@pytest.mark.parametrize("package", ["custom_components/enode", "enode_emulator"])
def test_the_sdk_is_never_imported_at_runtime(package: str) -> None:
    """`enode` is a test-only requirement."""
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
            assert not any(name.split(".")[0] == "enode" for name in names), path
