"""The README is what a user reads (the Marketplace shows all of it); the rest lives in docs/."""

from __future__ import annotations

from pathlib import Path
import re

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.DOTALL)
    return {_slug(m[1]) for m in re.finditer(r"^#+ (.+)$", text, re.MULTILINE)}


def test_readme_is_under_30_kb() -> None:
    """The Marketplace renders the whole README: development and benchmarks live in docs/."""
    size = len(README.read_bytes())
    assert size < 30_000, f"README.md is {size} bytes"
    readme = README.read_text()
    for moved in (
        "### Toolchains",
        "### Benchmarks",
        "## Automation examples",
        "Dashboard example",
    ):
        assert moved not in readme, moved


@pytest.mark.parametrize("path", [README, *DOCS], ids=lambda p: p.name)
def test_relative_links_and_anchors_resolve(path: Path) -> None:
    """Every link to a file of the repository (and a heading in it) exists."""
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.DOTALL)
    broken = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists() or (
            anchor and linked.suffix == ".md" and anchor not in _anchors(linked)
        ):
            broken.append(target)
    assert not broken, broken


def test_readme_walks_through_install_update_switch_and_removal() -> None:
    """Both installers, updates, the switch from the other integration, removal; the test
    command CI runs."""
    readme = README.read_text()
    for text in (
        "### Home Assistant 2026.11 and newer: the Marketplace",
        "### Home Assistant 2026.2 to 2026.10: HACS",
        "**Settings > Marketplace**",
        "select **Connect",
        "A first installation needs no restart",
        "`update.enode`",
        "every 48 hours",
        "**Refresh information**",
        "*Restart required for Enode*",
        "## Switching from the other Enode integration",
        "*Enode was made by the other Enode",
        "The Marketplace refuses while an Enode entry exists",
        "`bash scripts/test`",
    ):
        assert text in readme, text


def test_development_doc_keeps_sections_for_coming_figures() -> None:
    """Measurements reported later have titled places in docs/DEVELOPMENT.md."""
    development = (ROOT / "docs" / "DEVELOPMENT.md").read_text()
    for heading in (
        "## Benchmarks",
        "### Figures to come",
        "#### Marketplace install and update",
        "#### Takeover of the other Enode integration's entry",
        "#### Newest harness (2026.12)",
        "## Releases",
        "## Pins and the newest Home Assistant",
    ):
        assert f"\n{heading}\n" in development, heading
