"""Releases as code: one version everywhere, dated CHANGELOG sections, and the workflows."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
import re
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from scripts import releases

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
# What scripts/release and release.yml read and write, copied for each test.
RELEASE_FILES = (
    "CHANGELOG.md",
    "pyproject.toml",
    "custom_components/enode/manifest.json",
    "custom_components/enode/api/pyproject.toml",
    "custom_components/enode/api/__init__.py",
    "scripts/release",
    "scripts/release_notes",
    "scripts/releases.py",
    ".github/workflows/release.yml",
)


def _run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own scripts, fixed arguments
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": os.environ["PATH"], **(env or {})},
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the release-relevant files, with one change under Unreleased."""
    for name in RELEASE_FILES:
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    changelog = tmp_path / "CHANGELOG.md"
    # Whatever main's Unreleased holds today, the copy's holds exactly one change.
    changelog.write_text(
        re.sub(
            r"## \[Unreleased\]\n.*?(?=\n## \[)",
            "## [Unreleased]\n\n### Fixed\n- A fix for the next release.\n",
            changelog.read_text(),
            count=1,
            flags=re.DOTALL,
        )
    )
    return tmp_path


def _snapshot(root: Path) -> dict[str, str]:
    return {name: (root / name).read_text() for name in RELEASE_FILES}


def _next_version() -> str:
    major, minor, _ = releases.version_key(MANIFEST_VERSION)
    return f"{major}.{minor + 1}.0"


MANIFEST_VERSION = releases.VersionFiles(ROOT).versions()["manifest.json"]


# --- The repository as it is ---------------------------------------------------------------


def test_every_version_is_the_newest_release() -> None:
    """manifest.json, both pyproject.toml files and __version__ equal the newest release."""
    changelog = (ROOT / "CHANGELOG.md").read_text()
    newest = releases.newest_release(changelog)
    versions = releases.VersionFiles(ROOT).versions()
    assert set(versions) == {
        "manifest.json",
        "pyproject.toml",
        "custom_components/enode/api/pyproject.toml",
        "custom_components/enode/api/__init__.py",
    }
    assert set(versions.values()) == {newest}, versions


def test_every_release_has_a_date() -> None:
    """Keep a Changelog: Unreleased on top, then `## [X.Y.Z] - YYYY-MM-DD`, newest first."""
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert releases.changelog_problems(changelog) == []
    found = releases.releases(changelog)
    assert [s.name for s in found][-1] == "0.1.0"
    for section in found:
        assert dt.date.fromisoformat(str(section.date)) <= dt.datetime.now(dt.UTC).date()
        assert f"[{section.name}]: https://github.com/enode-ha/ha-enode/" in changelog


@pytest.mark.parametrize(
    ("changelog", "problem"),
    [
        ("# C\n\n## [0.1.0] - 2026-11-21\n- x\n", "the first section must be ## [Unreleased]"),
        ("## [Unreleased]\n\n## [0.1.0]\n- x\n", "0.1.0: no date YYYY-MM-DD (None)"),
        ("## [Unreleased]\n\n## [0.1.0] - 21.11.2026\n- x\n", "0.1.0: no date YYYY-MM-DD"),
        ("## [Unreleased]\n\n## [next] - 2026-11-21\n- x\n", "next: not a version X.Y.Z"),
        (
            "## [Unreleased]\n\n## [0.9.0] - 2026-11-21\n\n## [0.10.0] - 2026-11-22\n",
            "releases not newest first: ['0.9.0', '0.10.0']",
        ),
    ],
)
def test_changelog_format_problems(changelog: str, problem: str) -> None:
    """The format check names what is wrong."""
    assert any(found.startswith(problem) for found in releases.changelog_problems(changelog))


# --- scripts/release -------------------------------------------------------------------------


def test_release_bumps_every_version_and_dates_the_section(repo: Path) -> None:
    """One command: every file carries the version, Unreleased is dated, a fresh one on top."""
    version = _next_version()
    result = _run(["bash", "scripts/release", version], repo)
    assert result.returncode == 0, result.stderr
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert f"Released {version} ({today})" in result.stdout
    assert set(releases.VersionFiles(repo).versions().values()) == {version}
    changelog = (repo / "CHANGELOG.md").read_text()
    assert f"## [Unreleased]\n\n## [{version}] - {today}\n\n### Fixed\n" in changelog
    assert releases.newest_release(changelog) == version
    assert releases.changelog_problems(changelog) == []
    assert releases.notes(changelog, version) == "### Fixed\n- A fix for the next release.\n"
    # The previous release is untouched; the links compare the right tags.
    assert releases.notes(changelog, MANIFEST_VERSION) == releases.notes(
        (ROOT / "CHANGELOG.md").read_text(), MANIFEST_VERSION
    )
    base = "https://github.com/enode-ha/ha-enode"
    assert f"[Unreleased]: {base}/compare/v{version}...HEAD\n" in changelog
    assert f"[{version}]: {base}/compare/v{MANIFEST_VERSION}...v{version}\n" in changelog
    # manifest.json keeps its layout: only the version line changed.
    before = (ROOT / "custom_components/enode/manifest.json").read_text().splitlines()
    after = (repo / "custom_components/enode/manifest.json").read_text().splitlines()
    assert [(a, b) for a, b in zip(before, after, strict=True) if a != b] == [
        (f'  "version": "{MANIFEST_VERSION}"', f'  "version": "{version}"')
    ]


def test_release_twice_is_refused_and_changes_nothing(repo: Path) -> None:
    """A second run with the same version (or an older one) writes nothing."""
    version = _next_version()
    assert _run(["bash", "scripts/release", version], repo).returncode == 0
    released = _snapshot(repo)
    again = _run(["bash", "scripts/release", version], repo)
    assert again.returncode == 1
    assert f"{version} is not newer than the newest release {version}" in again.stderr
    assert _snapshot(repo) == released


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("1.2", "'1.2' is not a version X.Y.Z"),
        ("v9.0.0", "'v9.0.0' is not a version X.Y.Z"),
        ("9.0.0-beta", "'9.0.0-beta' is not a version X.Y.Z"),
        (MANIFEST_VERSION, f"{MANIFEST_VERSION} is not newer than the newest release"),
        ("0.0.9", "0.0.9 is not newer than the newest release"),
    ],
)
def test_release_refuses_bad_versions(repo: Path, version: str, message: str) -> None:
    """A malformed or not newer version: a clear message, nothing written."""
    before = _snapshot(repo)
    result = _run(["bash", "scripts/release", version], repo)
    assert result.returncode == 1
    assert message in result.stderr
    assert _snapshot(repo) == before


def test_release_refuses_an_empty_unreleased_section(repo: Path) -> None:
    """Nothing under Unreleased: nothing to release."""
    changelog = repo / "CHANGELOG.md"
    changelog.write_text(
        re.sub(
            r"## \[Unreleased\]\n.*?(?=\n## \[)",
            "## [Unreleased]\n",
            changelog.read_text(),
            count=1,
            flags=re.DOTALL,
        )
    )
    before = _snapshot(repo)
    result = _run(["bash", "scripts/release", _next_version()], repo)
    assert result.returncode == 1
    assert "the Unreleased section lists no changes" in result.stderr
    assert _snapshot(repo) == before


def test_first_release_links_to_its_tag() -> None:
    """Without an earlier release the new one links to its tag, and links are added."""
    text = releases.bump_changelog(
        "# Changelog\n\n## [Unreleased]\n\n### Added\n- Everything.\n",
        "1.0.0",
        dt.date(2026, 12, 7),
    )
    assert text == (
        "# Changelog\n\n## [Unreleased]\n\n## [1.0.0] - 2026-12-07\n\n### Added\n- Everything.\n"
        "\n[Unreleased]: https://github.com/enode-ha/ha-enode/compare/v1.0.0...HEAD\n"
        "[1.0.0]: https://github.com/enode-ha/ha-enode/releases/tag/v1.0.0\n"
    )


# --- Release notes ---------------------------------------------------------------------------


def test_release_notes_print_one_section() -> None:
    """scripts/release_notes prints exactly the section's body, without links or headings."""
    result = _run(["bash", "scripts/release_notes", MANIFEST_VERSION], ROOT)
    assert result.returncode == 0, result.stderr
    changelog = (ROOT / "CHANGELOG.md").read_text()
    start = changelog.index(f"## [{MANIFEST_VERSION}]")
    section = changelog[start : changelog.index("\n## [", start + 1)]
    assert result.stdout == section.split("\n", 2)[2].strip("\n") + "\n"
    assert "## [" not in result.stdout
    oldest = _run(["bash", "scripts/release_notes", "0.1.0"], ROOT)
    assert oldest.stdout.startswith("### Added\n- First release")
    assert "[Unreleased]:" not in oldest.stdout
    missing = _run(["bash", "scripts/release_notes", "9.9.9"], ROOT)
    assert missing.returncode == 1
    assert "CHANGELOG.md has no section for 9.9.9" in missing.stderr


# --- The workflows ---------------------------------------------------------------------------


def _workflow(name: str) -> dict[Any, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(document, dict)
    # YAML 1.1 reads the key `on` as True.
    document["on"] = document.pop(True, document.get("on"))
    for job_id, job in document["jobs"].items():
        assert job.get("runs-on") == "ubuntu-latest", job_id
        for step in job["steps"]:
            assert isinstance(step.get("name"), str), f"{job_id}: every step has a name"
            assert ("uses" in step) != ("run" in step), f"{job_id}: {step['name']}"
    return document


def _uses(document: dict[Any, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (step["uses"], step.get("with", {}))
        for job in document["jobs"].values()
        for step in job["steps"]
        if "uses" in step
    ]


def test_workflow_files() -> None:
    """Exactly the three workflows, each a valid workflow document."""
    assert sorted(p.name for p in WORKFLOWS.iterdir()) == ["ci.yml", "release.yml", "validate.yml"]
    for name in ("ci.yml", "release.yml", "validate.yml"):
        assert _workflow(name)["name"]


def test_ci_runs_the_readme_test_command() -> None:
    """ci.yml runs `bash scripts/test`, the command the README and .ci/run name."""
    ci = _workflow("ci.yml")
    assert set(ci["on"]) >= {"push", "pull_request"}
    runs = [step["run"] for job in ci["jobs"].values() for step in job["steps"] if "run" in step]
    assert runs[-1] == "bash scripts/test"
    # As root on Debian, privileged (scripts/setup runs apt-get, debootstrap and chroot).
    assert ci["jobs"]["test"]["container"] == {"image": "debian:trixie", "options": "--privileged"}
    assert "`bash scripts/test`" in (ROOT / "README.md").read_text()
    assert ("actions/checkout@v5", {}) in _uses(ci)


def test_validate_runs_hassfest_and_the_hacs_action() -> None:
    """validate.yml: the conventions of HACS integration repositories."""
    validate = _workflow("validate.yml")
    assert set(validate["on"]) >= {"push", "pull_request", "schedule", "workflow_dispatch"}
    assert validate["permissions"] == {}
    uses = _uses(validate)
    assert ("home-assistant/actions/hassfest@master", {}) in uses
    assert ("hacs/action@main", {"category": "integration"}) in uses


def _run_release_workflow(repo: Path, tag: str) -> tuple[list[int], Path]:
    """Run release.yml's shell steps as GitHub would, with a `gh` that records its call."""
    workflow = yaml.safe_load((repo / ".github/workflows/release.yml").read_text())
    bin_dir = repo / "fake-bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$GH_CALL"\ncp release-notes.md "$GH_NOTES"\n')
    gh.chmod(0o755)
    output = repo / "github-output"
    output.write_text("")
    steps_outputs: dict[str, dict[str, str]] = {}
    codes = []
    for step in workflow["jobs"]["release"]["steps"]:
        if "run" not in step:
            continue

        def expression(match: re.Match[str]) -> str:
            name = match[1]
            if name == "github.ref_name":
                return tag
            if name == "github.token":
                return "token"
            _, step_id, _, key = name.split(".")
            return steps_outputs[step_id][key]

        env = {
            key: re.sub(r"\$\{\{ ([\w.]+) \}\}", expression, str(value))
            for key, value in step.get("env", {}).items()
        }
        result = _run(
            ["bash", "-e", "-c", step["run"]],
            repo,
            {
                **env,
                "GITHUB_OUTPUT": str(output),
                "GH_CALL": str(repo / "gh-call"),
                "GH_NOTES": str(repo / "gh-notes"),
                "PATH": f"{bin_dir}:{os.environ['PATH']}",
            },
        )
        codes.append(result.returncode)
        if result.returncode:
            break
        if "id" in step:
            pairs = [line.split("=", 1) for line in output.read_text().splitlines()]
            steps_outputs[step["id"]] = dict(pairs)
    return codes, repo


def test_release_workflow_publishes_the_changelog_section(repo: Path) -> None:
    """A tag v + manifest version: gh creates that release with the CHANGELOG section."""
    version = _next_version()
    assert _run(["bash", "scripts/release", version], repo).returncode == 0
    workflow = _workflow("release.yml")
    assert workflow["on"] == {"push": {"tags": ["v*"]}}
    assert workflow["permissions"] == {"contents": "write"}
    codes, repo = _run_release_workflow(repo, f"v{version}")
    assert codes == [0, 0, 0]
    call = (repo / "gh-call").read_text().splitlines()
    assert call[:3] == ["release", "create", f"v{version}"]
    assert call[call.index("--title") + 1] == f"Enode {version}"
    assert (repo / "gh-notes").read_text() == "### Fixed\n- A fix for the next release.\n"


@pytest.mark.parametrize("tag", ["v9.9.9", "v0.1.0", "release-1"])
def test_release_workflow_fails_when_the_tag_differs(repo: Path, tag: str) -> None:
    """A tag that is not v + the manifest version stops the job before anything is published."""
    codes, repo = _run_release_workflow(repo, tag)
    assert codes == [1]
    assert not (repo / "gh-call").exists()
    result = _run(["python3", "scripts/releases.py", "check-tag", tag], repo)
    assert result.returncode == 1
    assert re.search(
        r"tag \S+ (is not vX\.Y\.Z|does not match the version in the files)", (result.stderr)
    )


def test_check_tag_needs_the_changelog_release(repo: Path) -> None:
    """Versions bumped by hand without a dated CHANGELOG section: the tag is refused."""
    version = _next_version()
    files = releases.VersionFiles(repo)
    for path in (files.manifest, *files.pyprojects, files.library_init):
        path.write_text(path.read_text().replace(f'"{MANIFEST_VERSION}"', f'"{version}"'))
    assert set(files.versions().values()) == {version}
    result = _run(["python3", "scripts/releases.py", "check-tag", f"v{version}"], repo)
    assert result.returncode == 1
    assert f"the newest CHANGELOG release is not {version}" in result.stderr
