"""Repository checks that stand in for hassfest and the HACS action (which cannot run here)."""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "custom_components" / "enode"
MANIFEST = json.loads((INTEGRATION / "manifest.json").read_text())
EN = json.loads((INTEGRATION / "translations" / "en.json").read_text())

# The keys HACS's hacs.json schema accepts (extra keys fail validation).
HACS_KEYS = {
    "name",
    "content_in_root",
    "country",
    "filename",
    "hacs",
    "hide_default_branch",
    "homeassistant",
    "persistent_directory",
    "render_readme",
    "zip_release",
}
# Exceptions whose translation keys live under "exceptions" in en.json.
EXCEPTION_CLASSES = {
    "HomeAssistantError",
    "ServiceValidationError",
    "ConfigEntryError",
    "ConfigEntryNotReady",
    "ConfigEntryAuthFailed",
    "UpdateFailed",
}
PLATFORM_MODULES = {
    "binary_sensor",
    "button",
    "climate",
    "device_tracker",
    "number",
    "select",
    "sensor",
    "switch",
}


def _python_files() -> list[Path]:
    return sorted(INTEGRATION.rglob("*.py"))


def _lookup(tree: dict[str, Any], dotted: str) -> Any:
    node: Any = tree
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def test_manifest_keys_and_order() -> None:
    """hassfest: domain and name first, then the other keys alphabetically."""
    keys = list(MANIFEST)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert MANIFEST["domain"] == "enode"
    assert MANIFEST["config_flow"] is True
    assert {"http", "webhook"} <= set(MANIFEST["dependencies"])
    assert MANIFEST["after_dependencies"] == ["cloud", "recorder"]
    assert MANIFEST["integration_type"] == "hub"
    assert MANIFEST["iot_class"] == "cloud_push"
    assert MANIFEST["requirements"] == []
    assert MANIFEST["codeowners"]
    for key in ("documentation", "issue_tracker"):
        assert MANIFEST[key].startswith("https://github.com/")
    assert re.fullmatch(r"\d+\.\d+\.\d+", MANIFEST["version"])
    assert (INTEGRATION / "config_flow.py").is_file()


def test_hacs_json() -> None:
    """HACS: only accepted keys, and the minimum Home Assistant version we test."""
    hacs = json.loads((ROOT / "hacs.json").read_text())
    assert set(hacs) <= HACS_KEYS
    assert hacs["name"] == "Enode"
    assert hacs["homeassistant"] == "2026.2.0"


def test_brand_images_are_png() -> None:
    """HACS brand check: custom_components/enode/brand/icon.png (and a logo)."""
    for name in ("icon.png", "logo.png"):
        assert (INTEGRATION / "brand" / name).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_repository_files() -> None:
    """The files a HACS repository needs, and no strings.json (core-only)."""
    for name in ("README.md", "LICENSE", "info.md", "hacs.json", ".gitignore", ".ci/run"):
        assert (ROOT / name).is_file(), name
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert not (INTEGRATION / "strings.json").exists()
    ci = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "set "))
    ]
    assert ci == ["bash scripts/test"]
    assert "`bash scripts/test`" in (ROOT / "README.md").read_text()


def test_translations_structure() -> None:
    """hassfest's translation schema, as far as we use it."""
    allowed = {
        "title",
        "config",
        "options",
        "selector",
        "issues",
        "entity",
        "exceptions",
        "services",
        "device",
        "common",
    }
    assert set(EN) <= allowed
    text = json.dumps(EN)
    assert "[%key:" not in text, "references only work in core's strings.json"

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        else:
            assert isinstance(node, str), path
            assert node == node.strip(), f"{path}: leading or trailing whitespace"
            assert node, f"{path}: empty string"
            assert "<" not in node or "</" not in node, f"{path}: HTML"
            assert not re.search(r"'\{[a-z_]+\}'", node), f"{path}: quoted placeholder"

    walk(EN, "")
    for section in ("config", "options"):
        for step_id, step in _lookup(EN, f"{section}.step").items():
            described = set(step.get("data_description", {}))
            assert described <= set(step.get("data", {})), f"{section}.step.{step_id}"
            assert step.get("title") != MANIFEST["name"], f"{section}.step.{step_id}"
    for issue_id, issue in EN.get("issues", {}).items():
        assert "title" in issue, issue_id
        assert "description" in issue or "fix_flow" in issue, issue_id


def _used_translation_keys() -> list[tuple[str, str, Path]]:
    """(kind, key, file) for every translation key the code uses."""
    used: list[tuple[str, str, Path]] = []
    for path in _python_files():
        if "api" in path.relative_to(INTEGRATION).parts:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            for keyword in node.keywords:
                if not isinstance(keyword.value, ast.Constant):
                    continue
                value = keyword.value.value
                if not isinstance(value, str):
                    continue
                if keyword.arg == "translation_key":
                    if name in EXCEPTION_CLASSES:
                        used.append(("exception", value, path))
                    elif name in {"async_create_issue", "create_issue"}:
                        used.append(("issue", value, path))
                    elif path.stem in PLATFORM_MODULES:
                        used.append((f"entity.{path.stem}", value, path))
                elif keyword.arg == "reason" and name == "async_abort":
                    used.append(("abort", value, path))
    return used


def test_every_used_translation_key_exists() -> None:
    """Every translation key used in code has an English string."""
    used = _used_translation_keys()
    missing: list[str] = []
    for kind, key, path in used:
        if kind == "exception":
            ok = _lookup(EN, f"exceptions.{key}.message") is not None
        elif kind == "issue":
            ok = _lookup(EN, f"issues.{key}.title") is not None
        elif kind == "abort":
            sections = [f"{s}.abort" for s in ("config", "options")] + [
                f"issues.{issue}.fix_flow.abort" for issue in EN.get("issues", {})
            ]
            ok = any(_lookup(EN, f"{section}.{key}") is not None for section in sections)
        else:
            ok = _lookup(EN, f"{kind}.{key}.name") is not None or (
                _lookup(EN, f"{kind}.{key}") is not None
            )
        if not ok:
            missing.append(f"{kind}:{key} ({path.name})")
    assert not missing, missing


QUALITY_RULES = {
    "bronze": (
        "action-setup appropriate-polling brands common-modules config-flow "
        "config-flow-test-coverage dependency-transparency docs-actions docs-triggers "
        "docs-conditions docs-high-level-description docs-installation-instructions "
        "docs-removal-instructions entity-event-setup entity-unique-id has-entity-name "
        "runtime-data test-before-configure test-before-setup unique-config-entry"
    ),
    "silver": (
        "action-exceptions config-entry-unloading docs-configuration-parameters "
        "docs-installation-parameters entity-unavailable integration-owner "
        "log-when-unavailable parallel-updates reauthentication-flow test-coverage"
    ),
    "gold": (
        "devices diagnostics discovery discovery-update-info docs-data-update docs-examples "
        "docs-known-limitations docs-supported-devices docs-supported-functions "
        "docs-troubleshooting docs-use-cases dynamic-devices entity-category "
        "entity-device-class entity-disabled-by-default entity-translations "
        "exception-translations icon-translations reconfiguration-flow repair-issues "
        "stale-devices"
    ),
    "platinum": "async-dependency inject-websession strict-typing",
}


def test_quality_scale_covers_every_rule() -> None:
    """quality_scale.yaml names all 54 rules; exemptions carry a reason."""
    import yaml  # noqa: PLC0415 - only this test needs it

    rules = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]
    expected = {rule for tier in QUALITY_RULES.values() for rule in tier.split()}
    assert len(expected) == 54
    assert set(rules) == expected
    for name, value in rules.items():
        status = value if isinstance(value, str) else value["status"]
        assert status in {"done", "exempt", "todo"}, name
        if status == "exempt":
            assert value["comment"], name
