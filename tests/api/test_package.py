"""Package-level guarantees: no Home Assistant imports, typed marker, public names."""

from __future__ import annotations

import ast
from pathlib import Path
import sys

from custom_components.enode import api

API_DIR = Path(api.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_homeassistant_imports() -> None:
    files = sorted(API_DIR.rglob("*.py"))
    assert files
    for path in files:
        offending = {
            name for name in _imported_modules(path) if name.split(".")[0] == "homeassistant"
        }
        assert not offending, f"{path.name} imports {offending}"


def test_only_aiohttp_and_stdlib() -> None:
    allowed = set(sys.stdlib_module_names) | {"aiohttp"}
    for path in API_DIR.rglob("*.py"):
        for name in _imported_modules(path):
            assert name.split(".")[0] in allowed, f"{path.name} imports {name}"


def test_py_typed_marker() -> None:
    assert (API_DIR / "py.typed").is_file()


def test_public_names_resolve() -> None:
    for name in api.__all__:
        assert getattr(api, name) is not None


def test_environment_urls() -> None:
    assert api.Environment.PRODUCTION.api_url == "https://enode-api.production.enode.io"
    assert api.Environment.PRODUCTION.token_url == "https://oauth.production.enode.io/oauth2/token"
    assert api.Environment.SANDBOX.api_url == "https://enode-api.sandbox.enode.io"
    assert api.Environment.SANDBOX.token_url == "https://oauth.sandbox.enode.io/oauth2/token"
    assert api.Environment.CUSTOM.api_url is None
    assert api.Environment.CUSTOM.token_url is None


def test_asset_type_helpers() -> None:
    expected = {
        "vehicle": ("vehicles", "vehicle"),
        "charger": ("chargers", "charger"),
        "battery": ("batteries", "battery"),
        "hvac": ("hvacs", "hvac"),
        "inverter": ("inverters", "inverter"),
        "meter": ("meters", "meter"),
        "hem-system": ("hem-systems", "hemSystem"),
    }
    assert {t.value: (t.path, t.payload_key) for t in api.AssetType} == expected
    assert api.AssetType.from_event_segment("hem-system") is api.AssetType.HEM_SYSTEM
    assert api.AssetType.from_event_segment("toaster") is None
