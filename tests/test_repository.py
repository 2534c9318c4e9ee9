"""Repository checks that stand in for hassfest and the HACS action (which cannot run here)."""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re
import string
import subprocess
import sys
from typing import Any

from homeassistant.helpers import config_validation as cv
import pytest
import voluptuous as vol
from voluptuous.humanize import humanize_error

from scripts import translations

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "custom_components" / "enode"
MANIFEST = json.loads((INTEGRATION / "manifest.json").read_text())
EN = json.loads((INTEGRATION / "translations" / "en.json").read_text())
ICONS = json.loads((INTEGRATION / "icons.json").read_text())

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
    # application_credentials: the takeover of the other Enode integration reads its credentials.
    # automation: its example blueprints are copied before ours create blueprints/automation.
    assert MANIFEST["after_dependencies"] == [
        "application_credentials",
        "automation",
        "cloud",
        "recorder",
    ]
    assert MANIFEST["integration_type"] == "hub"
    assert MANIFEST["iot_class"] == "cloud_push"
    assert MANIFEST["requirements"] == []
    assert MANIFEST["codeowners"]
    for key in ("documentation", "issue_tracker"):
        assert MANIFEST[key].startswith("https://github.com/")
    assert re.fullmatch(r"\d+\.\d+\.\d+", MANIFEST["version"])
    assert (INTEGRATION / "config_flow.py").is_file()


def test_version_and_changelog() -> None:
    """A Keep a Changelog file with tags vX.Y.Z (tests/test_release.py checks the versions)."""
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in changelog
    assert "## [0.1.0]" in changelog
    assert "`vX.Y.Z`" in changelog
    assert f"## [{MANIFEST['version']}] - " in changelog


def test_hacs_json() -> None:
    """HACS: only accepted keys, and the minimum Home Assistant version we test.

    The Marketplace (2026.11+) shows the README and ignores render_readme and info.md.
    """
    hacs = json.loads((ROOT / "hacs.json").read_text())
    assert set(hacs) <= HACS_KEYS
    assert "render_readme" not in hacs
    assert not (ROOT / "info.md").exists()
    assert hacs["name"] == "Enode"
    assert hacs["homeassistant"] == "2026.2.0"


def test_brand_images_are_png() -> None:
    """HACS brand check: custom_components/enode/brand/icon.png (and a logo)."""
    for name in ("icon.png", "logo.png"):
        assert (INTEGRATION / "brand" / name).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_repository_files() -> None:
    """The files a HACS repository needs, and no strings.json (core-only)."""
    for name in (
        "README.md",
        "CHANGELOG.md",
        "LICENSE",
        "hacs.json",
        ".gitignore",
        ".ci/run",
    ):
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


# hassfest's translation and icon rules (script/hassfest/translations.py and icons.py in Home
# Assistant core), restated as voluptuous schemas over our en.json and icons.json.
RE_TRANSLATION_KEY = re.compile(r"^(?!.+[_-]{2})(?![_-])[a-z0-9-_]+(?<![_-])$")
RE_COMBINED_REFERENCE = re.compile(r"(.+\[%)|(%\].+)")
RE_QUOTED_PLACEHOLDER = re.compile(r"'{\w+}'")
RE_URL = re.compile(
    r"(((ftp|ftps|scp|http|https|mqtt|mqtts|socket|socks5):\/\/|www\.)"
    r"[a-z0-9]+([\-\.]{1}[a-z0-9]+)*\.[a-z]{2,5}(:[0-9]{1,5})?(\/.*)?)",
    re.IGNORECASE,
)


def _key(value: Any) -> str:
    """A translation key: [a-z0-9-_], not starting, ending or doubling - or _."""
    if not isinstance(value, str) or not RE_TRANSLATION_KEY.match(value):
        raise vol.Invalid(f"invalid translation key {value!r}")
    return value


def _text(value: Any, *, placeholders: bool = True) -> str:
    """A translated string: no HTML, URLs, outer spaces, quoted or invalid placeholders."""
    text = cv.string_with_no_html(value)
    if RE_QUOTED_PLACEHOLDER.search(text):
        raise vol.Invalid("placeholder inside single quotes")
    for _, name, _, _ in string.Formatter().parse(text):
        if name is not None and not placeholders:
            raise vol.Invalid("placeholders are not allowed here")
        if name is not None and not name.isidentifier():
            raise vol.Invalid(f"placeholder {name!r} is not an identifier")
    if RE_COMBINED_REFERENCE.search(text):
        raise vol.Invalid("combined translations")
    if text != text.strip():
        raise vol.Invalid("leading or trailing spaces")
    if RE_URL.search(text):
        raise vol.Invalid("URL in a translation: use a description placeholder")
    return text


def _state_text(value: Any) -> str:
    return _text(value, placeholders=False)


def _described_fields_exist(flow: dict[str, Any]) -> dict[str, Any]:
    """data_description keys must be fields in data (of the step, and of each section)."""
    for step_id, step in flow["step"].items():
        parts = [step, *step.get("sections", {}).values()]
        for part in parts:
            extra = set(part.get("data_description", {})) - set(part.get("data", {}))
            if extra:
                raise vol.Invalid(f"step {step_id}: data_description without data: {extra}")
            if part.get("title") == MANIFEST["name"]:
                raise vol.Invalid(f"step {step_id}: the title must not be the brand name")
    return flow


FLOW_SCHEMA = vol.All(
    vol.Schema(
        {
            vol.Optional("flow_title"): _text,
            vol.Required("step"): {
                str: {
                    vol.Optional("title"): _text,
                    vol.Optional("description"): _text,
                    vol.Optional("data"): {str: _text},
                    vol.Optional("data_description"): {str: _text},
                    vol.Optional("menu_options"): {str: _text},
                    vol.Optional("menu_option_descriptions"): {str: _text},
                    vol.Optional("submit"): _text,
                    vol.Optional("sections"): {
                        str: {
                            vol.Optional("name"): _text,
                            vol.Optional("description"): _text,
                            vol.Optional("data"): {str: _text},
                            vol.Optional("data_description"): {str: _text},
                        }
                    },
                }
            },
            vol.Optional("error"): {str: _text},
            vol.Optional("abort"): {str: _text},
            vol.Optional("progress"): {str: _text},
            vol.Optional("create_entry"): {str: _text},
        }
    ),
    _described_fields_exist,
)
# A repair issue has a title and either a description (not fixable) or a fix flow whose steps
# carry the text (fixable) - never both.
ISSUES_SCHEMA = {
    str: vol.All(
        cv.has_at_least_one_key("description", "fix_flow"),
        vol.Schema(
            {
                vol.Required("title"): _text,
                vol.Exclusive("description", "fixable"): _text,
                vol.Exclusive("fix_flow", "fixable"): FLOW_SCHEMA,
            }
        ),
    )
}
_STATES = cv.schema_with_slug_keys(_state_text, slug_validator=_key)
TRANSLATIONS_SCHEMA = vol.Schema(
    {
        vol.Optional("title"): _text,
        vol.Optional("config"): FLOW_SCHEMA,
        vol.Optional("options"): FLOW_SCHEMA,
        vol.Optional("selector"): cv.schema_with_slug_keys(
            {vol.Optional("options"): cv.schema_with_slug_keys(_text, slug_validator=_key)},
            slug_validator=vol.Any("_", cv.slug),
        ),
        vol.Optional("issues"): ISSUES_SCHEMA,
        # Actions (hassfest: name and description required, each field named and described).
        vol.Optional("services"): cv.schema_with_slug_keys(
            {
                vol.Required("name"): _text,
                vol.Required("description"): _text,
                vol.Optional("fields"): cv.schema_with_slug_keys(
                    {
                        vol.Required("name"): _text,
                        vol.Required("description"): _text,
                        vol.Optional("example"): _text,
                    },
                    slug_validator=_key,
                ),
            },
            slug_validator=_key,
        ),
        vol.Optional("device"): cv.schema_with_slug_keys(
            {vol.Optional("name"): _text}, slug_validator=_key
        ),
        vol.Optional("entity"): cv.schema_with_slug_keys(
            cv.schema_with_slug_keys(
                {
                    vol.Optional("name"): _text,
                    vol.Optional("state"): _STATES,
                    vol.Optional("state_attributes"): cv.schema_with_slug_keys(
                        {vol.Optional("name"): _state_text, vol.Optional("state"): _STATES},
                        slug_validator=_key,
                    ),
                    vol.Optional("unit_of_measurement"): _state_text,
                },
                slug_validator=_key,
            ),
            slug_validator=cv.slug,
        ),
        vol.Optional("exceptions"): cv.schema_with_slug_keys(
            {vol.Optional("message"): _text}, slug_validator=cv.slug
        ),
        vol.Optional("common"): vol.Schema({cv.slug: _text}),
        # Actions (hassfest: a name and description each, and of each field).
        vol.Optional("services"): cv.schema_with_slug_keys(
            {
                vol.Required("name"): _text,
                vol.Required("description"): _text,
                vol.Optional("fields"): cv.schema_with_slug_keys(
                    {
                        vol.Required("name"): _text,
                        vol.Required("description"): _text,
                        vol.Optional("example"): _text,
                    },
                    slug_validator=_key,
                ),
            },
            slug_validator=_key,
        ),
    }
)


def _icon(value: Any) -> str:
    icon = cv.string_with_no_html(value)
    if not icon.startswith("mdi:"):
        raise vol.Invalid(f"{icon!r} is not a Material Design icon (mdi:...)")
    return icon


def _no_state_icon_equals_default(icons: dict[str, Any]) -> dict[str, Any]:
    """hassfest: a state icon equal to its default icon is redundant and an error."""
    for key, icon in icons.items():
        for state, state_icon in icon.get("state", {}).items():
            if icon.get("default") and state_icon == icon["default"]:
                raise vol.Invalid(f"{key}.{state}: the same icon as the default")
    return icons


_ICON_STATES = cv.schema_with_slug_keys(_icon, slug_validator=_key)
_DATA_ENTRY_ICONS = vol.Schema({"step": {str: {"section": {str: _icon}}}})
ICONS_SCHEMA = vol.Schema(
    {
        vol.Optional("config"): _DATA_ENTRY_ICONS,
        vol.Optional("options"): _DATA_ENTRY_ICONS,
        vol.Optional("issues"): {str: {"fix_flow": _DATA_ENTRY_ICONS}},
        vol.Optional("services"): _ICON_STATES,
        vol.Optional("entity"): cv.schema_with_slug_keys(
            vol.All(
                cv.schema_with_slug_keys(
                    {
                        vol.Optional("default"): _icon,
                        vol.Optional("state"): _ICON_STATES,
                        # Range icons (newer hassfest): number -> icon.
                        vol.Optional("range"): {str: _icon},
                        vol.Optional("state_attributes"): vol.All(
                            cv.schema_with_slug_keys(
                                {
                                    vol.Optional("default"): _icon,
                                    vol.Optional("state"): _ICON_STATES,
                                },
                                slug_validator=_key,
                            ),
                            _no_state_icon_equals_default,
                        ),
                    },
                    slug_validator=_key,
                ),
                _no_state_icon_equals_default,
            ),
            slug_validator=cv.slug,
        ),
    }
)


def _validate(schema: Any, document: dict[str, Any]) -> None:
    try:
        schema(document)
    except vol.Invalid as err:
        pytest.fail(humanize_error(document, err))


def test_translations_follow_hassfest() -> None:
    """en.json passes hassfest's translation schema (custom integrations validate en.json)."""
    _validate(TRANSLATIONS_SCHEMA, EN)
    assert "[%key:" not in json.dumps(EN), "references only work in core's strings.json"


def test_icons_follow_hassfest() -> None:
    """icons.json passes hassfest's icon schema, no state icon repeating its default."""
    _validate(ICONS_SCHEMA, ICONS)


@pytest.mark.parametrize(
    ("schema", "document"),
    [
        # A fixable issue with a description as well as a fix flow.
        (
            TRANSLATIONS_SCHEMA,
            {"issues": {"x": {"title": "X", "description": "d", "fix_flow": {"step": {}}}}},
        ),
        (TRANSLATIONS_SCHEMA, {"issues": {"x": {"title": "X"}}}),
        (TRANSLATIONS_SCHEMA, {"config": {"step": {"user": {"data_description": {"a": "A"}}}}}),
        (TRANSLATIONS_SCHEMA, {"exceptions": {"x": {"message": "See https://example.com"}}}),
        (TRANSLATIONS_SCHEMA, {"exceptions": {"x": {"message": "Bad '{value}'"}}}),
        (TRANSLATIONS_SCHEMA, {"selector": {"x": {"options": {"Bad_Key": "B"}}}}),
        # A state (attribute) icon equal to the default icon.
        (
            ICONS_SCHEMA,
            {
                "entity": {
                    "climate": {
                        "t": {
                            "state_attributes": {
                                "preset_mode": {"default": "mdi:a", "state": {"none": "mdi:a"}}
                            }
                        }
                    }
                }
            },
        ),
        (
            ICONS_SCHEMA,
            {"entity": {"switch": {"s": {"default": "mdi:a", "state": {"on": "mdi:a"}}}}},
        ),
        (ICONS_SCHEMA, {"entity": {"switch": {"s": {"default": "ev-station"}}}}),
    ],
)
def test_hassfest_rules_catch_mistakes(schema: Any, document: dict[str, Any]) -> None:
    """The restated rules reject what hassfest rejects."""
    with pytest.raises(vol.Invalid):
        schema(document)


def test_issue_texts_match_fixability() -> None:
    """Fixable issues in code have a fix flow text, the others a description."""
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if not (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", "").endswith("create_issue")
            ):
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            key = keywords.get("translation_key")
            fixable = keywords.get("is_fixable")
            if not isinstance(key, ast.Constant) or not isinstance(fixable, ast.Constant):
                continue
            issue = EN["issues"][key.value]
            expected = "fix_flow" if fixable.value else "description"
            assert expected in issue, f"{path.name}: {key.value}"


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


def test_config_flow_errors_have_texts() -> None:
    """Every error key the flows put on a form has an English text.

    client_factory.py checks the credentials for the config flow (and takeover.py's).
    """
    sources = [(INTEGRATION / name).read_text() for name in ("config_flow.py", "client_factory.py")]
    keys: set[str] = set()
    for node in (node for source in sources for node in ast.walk(ast.parse(source))):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            target = node.targets[0]
            named_error = isinstance(target, ast.Name) and target.id == "error"
            item_of_errors = isinstance(target, ast.Subscript) and getattr(
                target.value, "id", ""
            ) in {"errors"}
            if named_error or item_of_errors:
                keys.add(node.value.value)
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                base = isinstance(key, ast.Constant) and key.value == "base"
                if base and isinstance(value, ast.Constant):
                    keys.add(value.value)
    assert {
        "invalid_auth",
        "cannot_connect",
        "not_token_endpoint",
        "invalid_url",
        "link_failed",
    } <= keys
    missing = {key for key in keys if key not in EN["config"]["error"]}
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


def _own_imports(path: Path) -> tuple[set[str], set[str]]:
    """(module-level, function-level) imports of the integration's own modules in one file.

    Imports under `if TYPE_CHECKING:` are for annotations only and do not count.
    """
    package = path.relative_to(INTEGRATION).with_suffix("").parts[:-1]

    def resolve(node: ast.ImportFrom) -> str:
        base = list(package[: len(package) - (node.level - 1)]) if node.level else []
        return ".".join([*base, *(node.module or "").split(".")]).strip(".")

    top: set[str] = set()
    nested: set[str] = set()

    def visit(nodes: list[ast.stmt], in_function: bool) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.ImportFrom) and node.level:
                target = resolve(node)
                names = (
                    [target]
                    if node.module
                    else [f"{target}.{a.name}".strip(".") for a in node.names]
                )
                (nested if in_function else top).update(names)
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    visit(
                        [child],
                        in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef),
                    )

    visit(ast.parse(path.read_text()).body, in_function=False)
    return top, nested


def test_no_import_cycles_and_no_deferred_own_imports() -> None:
    """Module-level imports form no cycle; only the recorder-bound importers are deferred."""
    graph: dict[str, set[str]] = {}
    for path in INTEGRATION.rglob("*.py"):
        name = ".".join(path.relative_to(INTEGRATION).with_suffix("").parts).removesuffix(
            ".__init__"
        )
        top, nested = _own_imports(path)
        graph[name or "__init__"] = {t or "__init__" for t in top}
        recorder_bound = {"statistics", "charging_statistics"}
        assert nested <= recorder_bound, f"{path.name} defers importing {nested}"
    modules = set(graph)
    graph = {m: {t for t in deps if t in modules} for m, deps in graph.items()}
    done: set[str] = set()

    def walk(module: str, trail: tuple[str, ...]) -> None:
        assert module not in trail, f"import cycle: {' -> '.join((*trail, module))}"
        if module in done:
            return
        for dep in graph[module]:
            walk(dep, (*trail, module))
        done.add(module)

    for module in sorted(graph):
        walk(module, ())
    assert "config_flow" not in {dep for deps in graph.values() for dep in deps}


FAKE_SETUP = """#!/usr/bin/env bash
echo "[setup] using Python 3.13.5 at /somewhere/python3.13"
echo "[setup] building python3.13_3.13.5.orig.tar.xz into /cache (about 4 minutes on 2 cores)"
echo "[setup] development requirements are up to date"
echo "[setup] chromium is installed"
echo "[setup] newest toolchain: Python 3.14.10 in /cache/newest-root"
echo "[setup] done"
exit ${FAKE_SETUP_EXIT:-0}
"""


@pytest.mark.parametrize("exit_code", [0, 3])
def test_develop_shows_setup_progress_and_stops_when_setup_fails(
    tmp_path: Path, exit_code: int
) -> None:
    """A first run of scripts/develop prints what setup is doing; a ready machine prints nothing."""
    fake = tmp_path / "setup"
    fake.write_text(FAKE_SETUP)
    result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        ["bash", str(ROOT / "scripts" / "develop"), "--help"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "ENODE_SETUP_SCRIPT": str(fake),
            # Inside the Python 3.14 root .venv's python does not resolve: use this one.
            "ENODE_DEVELOP_PYTHON": sys.executable,
            "FAKE_SETUP_EXIT": str(exit_code),
        },
    )
    setup_lines = [line for line in result.stdout.splitlines() if line.startswith("[setup]")]
    assert setup_lines == [
        "[setup] building python3.13_3.13.5.orig.tar.xz into /cache (about 4 minutes on 2 cores)"
    ]
    if exit_code:
        assert result.returncode == exit_code
        assert "usage:" not in result.stdout  # the demo does not start on a broken toolchain
    else:
        assert result.returncode == 0, result.stderr
        assert "usage:" in result.stdout


# --- Translations: every language has exactly en.json's keys and placeholders ----------------

# The languages the README promises (Enode's users: the Nordics and Europe).
LANGUAGES = ("da", "de", "fi", "fr", "nb", "nl", "sv")


def test_every_promised_language_has_a_file() -> None:
    """One file per promised language, and no file of a language the README does not list."""
    assert tuple(translations.languages()) == LANGUAGES
    readme = (ROOT / "README.md").read_text()
    for language in LANGUAGES:
        assert f"`{language}`" in readme, f"README does not list {language}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translation_matches_english(language: str) -> None:
    """Exactly en.json's keys, the same placeholders in each string, none empty or untranslated."""
    report = translations.check_language(EN, translations.load(language), language)
    assert report.ok, "\n".join(report.lines())


@pytest.mark.parametrize("language", LANGUAGES)
def test_translation_follows_hassfest(language: str) -> None:
    """Each translation passes the same hassfest schema as en.json, without references."""
    document = translations.load(language)
    _validate(TRANSLATIONS_SCHEMA, document)
    assert "[%key:" not in json.dumps(document), "references only work in core's strings.json"


def test_translation_check_finds_every_kind_of_problem() -> None:
    """The check (shared with scripts/translations.py) reports what a careless edit leaves."""
    english = {"a": {"b": "Hello {name}", "c": "Bye", "d": "Same", "e": "X"}}
    broken = {"a": {"b": "Hei {navn}", "c": " ", "d": "Same", "e": 1, "z": "Extra"}}
    report = translations.check_language(english, broken, "xx", frozenset())
    assert not report.ok
    assert report.missing == []
    assert report.extra == ["a.z"]
    assert report.placeholder_mismatches == {"a.b": (["name"], ["navn"])}
    assert report.empty == ["a.c"]
    assert report.not_text == ["a.e"]
    assert report.same_as_english == ["a.d"]
    lines = "\n".join(report.lines())
    for key in ("a.z", "a.b", "a.c", "a.d", "a.e"):
        assert key in lines
    # A key allowed to equal English, a missing key, and an unbalanced brace.
    report = translations.check_language(
        english, {"a": {"b": "Hei {name", "d": "Same"}}, "xx", frozenset({"a.d"})
    )
    assert report.missing == ["a.c", "a.e"]
    assert report.placeholder_mismatches == {"a.b": (["name"], ["<unbalanced braces>"])}
    assert report.same_as_english == []
    assert translations.check_language(
        english, english, "xx", frozenset({"a.d", "a.c", "a.e", "a.b"})
    ).ok


def test_translation_delta_helpers(tmp_path: Path) -> None:
    """--missing lists what a language lacks in English; --merge adds it in en.json's order."""
    english = {"x": {"one": "One", "two": "Two {n}"}, "y": "Why"}
    partial = {"y": "Hvorfor", "x": {"one": "En"}, "gone": "Old"}
    assert translations.missing_texts(english, partial) == {"x.two": "Two {n}"}
    merged = translations.merge(english, partial, {"x.two": "To {n}"})
    assert merged == {"x": {"one": "En", "two": "To {n}"}, "y": "Hvorfor"}
    assert list(merged) == ["x", "y"]
    assert translations.unflatten(translations.flatten(english)) == english
