#!/usr/bin/env python3
"""Releases as code: one version everywhere, and the CHANGELOG section of a release.

    python3 scripts/releases.py release X.Y.Z   # scripts/release X.Y.Z
    python3 scripts/releases.py notes X.Y.Z     # scripts/release_notes X.Y.Z: that section
    python3 scripts/releases.py check-tag vX.Y.Z  # the tag names the version in every file

`release` writes X.Y.Z into manifest.json, the root pyproject.toml, the library's pyproject.toml
and its `__version__`, and turns CHANGELOG.md's Unreleased section into `## [X.Y.Z] - <today>`
under a fresh, empty Unreleased (with the comparison links at the bottom). It refuses, changing
nothing, a version that is not X.Y.Z or not newer than the newest release, and an empty
Unreleased section. release.yml runs `check-tag` and `notes` on a pushed tag; the repository
tests run all three on copies. Only the standard library: any Python 3.13 runs it.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
import datetime as dt
import json
from pathlib import Path
import re
import sys

ROOT = Path(__file__).resolve().parent.parent
REPOSITORY_URL = "https://github.com/enode-ha/ha-enode"
VERSION = re.compile(r"\d+\.\d+\.\d+")
# `## [Unreleased]` or `## [1.2.3] - 2026-12-07`; a release without a date is an error.
HEADING = re.compile(r"^## \[(?P<name>[^\]]+)\](?: - (?P<date>\S+))?[ \t]*$", re.MULTILINE)
LINK = re.compile(r"^\[(?P<name>[^\]]+)\]: \S+[ \t]*$", re.MULTILINE)
UNRELEASED = "Unreleased"


class ReleaseError(Exception):
    """A release that must not happen; nothing was written."""


@dataclass(frozen=True)
class Section:
    """One `## [...]` section of the CHANGELOG."""

    name: str
    date: str | None
    body: str


def version_key(version: str) -> tuple[int, ...]:
    """Numeric order of X.Y.Z versions (1.10.0 after 1.9.0)."""
    return tuple(int(part) for part in version.split("."))


def sections(changelog: str) -> list[Section]:
    """The sections in file order; each body ends before the next heading or the links."""
    headings = list(HEADING.finditer(changelog))
    links = LINK.search(changelog, headings[-1].end()) if headings else None
    end_of_last = links.start() if links else len(changelog)
    result = []
    for index, match in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else end_of_last
        body = changelog[match.end() : end].strip("\n")
        result.append(Section(match["name"], match["date"], body))
    return result


def releases(changelog: str) -> list[Section]:
    """The released sections (everything but Unreleased), newest first as in the file."""
    return [section for section in sections(changelog) if section.name != UNRELEASED]


def changelog_problems(changelog: str) -> list[str]:
    """What breaks the format: a release without a valid date or version, a wrong order."""
    problems = []
    found = sections(changelog)
    if not found or found[0].name != UNRELEASED:
        problems.append("the first section must be ## [Unreleased]")
    released = [section for section in found if section.name != UNRELEASED]
    for section in released:
        if not VERSION.fullmatch(section.name):
            problems.append(f"{section.name}: not a version X.Y.Z")
            continue
        try:
            dt.date.fromisoformat(section.date or "")
        except ValueError:
            problems.append(f"{section.name}: no date YYYY-MM-DD ({section.date})")
    versions = [s.name for s in released if VERSION.fullmatch(s.name)]
    if versions != sorted(versions, key=version_key, reverse=True):
        problems.append(f"releases not newest first: {versions}")
    return problems


def notes(changelog: str, version: str) -> str:
    """The body of one release's section (the GitHub release text)."""
    for section in releases(changelog):
        if section.name == version:
            return section.body + "\n"
    raise ReleaseError(f"CHANGELOG.md has no section for {version}")


def newest_release(changelog: str) -> str | None:
    """The newest released version, or None before the first release."""
    released = releases(changelog)
    return released[0].name if released else None


@dataclass(frozen=True)
class VersionFiles:
    """The files that carry the version, relative to a repository root."""

    root: Path

    @property
    def manifest(self) -> Path:
        """custom_components/enode/manifest.json."""
        return self.root / "custom_components" / "enode" / "manifest.json"

    @property
    def pyprojects(self) -> list[Path]:
        """The root project (when it has a version) and the library."""
        return [
            self.root / "pyproject.toml",
            self.root / "custom_components" / "enode" / "api" / "pyproject.toml",
        ]

    @property
    def library_init(self) -> Path:
        """The library's __init__.py (its __version__)."""
        return self.root / "custom_components" / "enode" / "api" / "__init__.py"

    @property
    def changelog(self) -> Path:
        """CHANGELOG.md."""
        return self.root / "CHANGELOG.md"

    def versions(self) -> dict[str, str]:
        """Each file's version (files without one are left out)."""
        found = {"manifest.json": json.loads(self.manifest.read_text())["version"]}
        for path in self.pyprojects:
            if match := _PYPROJECT_VERSION.search(path.read_text()):
                found[str(path.relative_to(self.root))] = match[2]
        if match := _INIT_VERSION.search(self.library_init.read_text()):
            found[str(self.library_init.relative_to(self.root))] = match[2]
        return found


# `version = "..."` in [project] (the first assignment at the start of a line) and __version__.
_PYPROJECT_VERSION = re.compile(r'^(version = ")([^"]+)(")', re.MULTILINE)
_INIT_VERSION = re.compile(r'^(__version__ = ")([^"]+)(")', re.MULTILINE)
_MANIFEST_VERSION = re.compile(r'^(\s*"version": ")([^"]+)(")', re.MULTILINE)


def bump_changelog(changelog: str, version: str, date: dt.date) -> str:
    """Unreleased becomes `## [version] - date` under a fresh Unreleased; links follow."""
    found = sections(changelog)
    if not found or found[0].name != UNRELEASED:
        raise ReleaseError("CHANGELOG.md has no ## [Unreleased] section on top")
    if not _has_entries(found[0].body):
        raise ReleaseError("the Unreleased section lists no changes: nothing to release")
    previous = newest_release(changelog)
    heading = HEADING.search(changelog)
    assert heading is not None  # sections() found it
    text = (
        changelog[: heading.start()]
        + f"## [{UNRELEASED}]\n\n## [{version}] - {date.isoformat()}"
        + changelog[heading.end() :]
    )
    return _bump_links(text, version, previous)


def _has_entries(body: str) -> bool:
    return any(line.lstrip().startswith(("- ", "* ")) for line in body.splitlines())


def _bump_links(text: str, version: str, previous: str | None) -> str:
    """Keep a Changelog's links: Unreleased compares from the new tag, the new one from the last."""
    unreleased = f"[{UNRELEASED}]: {REPOSITORY_URL}/compare/v{version}...HEAD"
    if previous is None:
        new = f"[{version}]: {REPOSITORY_URL}/releases/tag/v{version}"
    else:
        new = f"[{version}]: {REPOSITORY_URL}/compare/v{previous}...v{version}"
    old = re.compile(rf"^\[{UNRELEASED}\]: \S+$", re.MULTILINE)
    if old.search(text):
        return old.sub(lambda _: f"{unreleased}\n{new}", text, count=1)
    return text.rstrip("\n") + f"\n\n{unreleased}\n{new}\n"


def release(root: Path, version: str, today: dt.date) -> list[Path]:
    """Write `version` everywhere and date its CHANGELOG section; returns the files written."""
    if not VERSION.fullmatch(version):
        raise ReleaseError(f"{version!r} is not a version X.Y.Z (for example 0.2.0)")
    files = VersionFiles(root)
    changelog = files.changelog.read_text()
    problems = changelog_problems(changelog)
    if problems:
        raise ReleaseError("CHANGELOG.md: " + "; ".join(problems))
    newest = newest_release(changelog)
    if newest is not None and version_key(version) <= version_key(newest):
        raise ReleaseError(f"{version} is not newer than the newest release {newest}")
    # Everything is computed before anything is written: a refusal changes nothing.
    writes = {files.changelog: bump_changelog(changelog, version, today)}
    # Substituted in place: the files keep their layout (hassfest's key order, short lists).
    for path, pattern in [
        (files.manifest, _MANIFEST_VERSION),
        *[(p, _PYPROJECT_VERSION) for p in files.pyprojects],
        (files.library_init, _INIT_VERSION),
    ]:
        text = path.read_text()
        if pattern.search(text):
            writes[path] = pattern.sub(lambda m: f"{m[1]}{version}{m[3]}", text, count=1)
        elif path == files.manifest:
            raise ReleaseError("manifest.json has no version")
    for path, text in writes.items():
        path.write_text(text)
    return list(writes)


def check_tag(root: Path, tag: str) -> str:
    """The version a `vX.Y.Z` tag releases, when every file and the CHANGELOG carry it."""
    files = VersionFiles(root)
    version = tag.removeprefix("refs/tags/").removeprefix("v")
    if not tag.removeprefix("refs/tags/").startswith("v") or not VERSION.fullmatch(version):
        raise ReleaseError(f"tag {tag} is not vX.Y.Z")
    wrong = {name: found for name, found in files.versions().items() if found != version}
    if wrong:
        listed = ", ".join(f"{name} has {found}" for name, found in sorted(wrong.items()))
        raise ReleaseError(f"tag {tag} does not match the version in the files: {listed}")
    changelog = files.changelog.read_text()
    if newest_release(changelog) != version:
        raise ReleaseError(f"the newest CHANGELOG release is not {version}")
    problems = changelog_problems(changelog)
    if problems:
        raise ReleaseError("CHANGELOG.md: " + "; ".join(problems))
    return version


def main(argv: list[str] | None = None) -> int:
    """Command line: release, notes or check-tag."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("release", help="bump every version, date the CHANGELOG").add_argument(
        "version"
    )
    commands.add_parser("notes", help="print a release's CHANGELOG section").add_argument("version")
    commands.add_parser("check-tag", help="a tag equals v + every version").add_argument("tag")
    args = parser.parse_args(argv)
    try:
        if args.command == "release":
            today = dt.datetime.now(dt.UTC).date()
            written = release(args.root, args.version, today)
            for path in written:
                print(f"wrote {path.relative_to(args.root)}")
            print(
                f"Released {args.version} ({today}): commit, then tag v{args.version} and push it."
            )
        elif args.command == "notes":
            sys.stdout.write(notes((args.root / "CHANGELOG.md").read_text(), args.version))
        else:
            print(check_tag(args.root, args.tag))
    except ReleaseError as err:
        print(f"{Path(sys.argv[0]).name}: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
