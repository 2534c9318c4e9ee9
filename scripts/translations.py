#!/usr/bin/env python3
"""Compare every translation with translations/en.json: missing and extra keys, placeholders.

    python scripts/translations.py                 # a report per language; exit 1 on a problem
    python scripts/translations.py --missing nb    # nb's missing keys with their English text,
                                                   # as a JSON object to translate and merge
    python scripts/translations.py --merge nb FILE # merge a translated JSON object of dotted
                                                   # keys into nb.json, in en.json's key order

The repository test (tests/test_repository.py) uses `check_language`, so this report and CI
agree. Only the standard library: it runs with any Python 3.13.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
import json
from pathlib import Path
import string
import sys
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "custom_components" / "enode" / "translations"
SOURCE = "en"

# Texts that are the same word in a language as in English (a proper name, a borrowed word);
# every other value equal to its English text counts as left untranslated.
_STATUS = "entity.sensor.battery_status.name"  # "Status" is the word in these languages too
_SANDBOX = "selector.environment.options.sandbox"
SAME_AS_ENGLISH: dict[str, frozenset[str]] = {
    "da": frozenset({_STATUS}),
    "de": frozenset({_STATUS, _SANDBOX}),
    "fi": frozenset(),
    "fr": frozenset({"selector.environment.options.production"}),
    "nb": frozenset({_STATUS}),
    "nl": frozenset({_STATUS, _SANDBOX}),
    "sv": frozenset({_STATUS}),
}


def flatten(document: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted key -> leaf value ("config.step.user.title" -> "Connect to the Enode API")."""
    flat: dict[str, Any] = {}
    for key, value in document.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{dotted}."))
        else:
            flat[dotted] = value
    return flat


def unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    """The nested document of dotted keys (the inverse of `flatten`)."""
    document: dict[str, Any] = {}
    for dotted, value in flat.items():
        node = document
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return document


def placeholders(text: str) -> set[str]:
    """The {placeholder} names a text uses ({{ and }} are literal braces)."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:  # an unbalanced brace: never equal to a valid text's set
        return {"<unbalanced braces>"}


@dataclass(slots=True)
class LanguageReport:
    """How one translation differs from en.json."""

    language: str
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    # key -> (English placeholders, this language's placeholders)
    placeholder_mismatches: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    empty: list[str] = field(default_factory=list)
    not_text: list[str] = field(default_factory=list)
    same_as_english: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No problem of any kind."""
        return not (
            self.missing
            or self.extra
            or self.placeholder_mismatches
            or self.empty
            or self.not_text
            or self.same_as_english
        )

    def lines(self) -> list[str]:
        """A human-readable report."""
        if self.ok:
            return [f"{self.language}: complete"]
        out = [f"{self.language}:"]
        out += [f"  missing: {key}" for key in self.missing]
        out += [f"  extra: {key}" for key in self.extra]
        out += [
            f"  placeholders of {key}: en {want}, {self.language} {got}"
            for key, (want, got) in self.placeholder_mismatches.items()
        ]
        out += [f"  empty: {key}" for key in self.empty]
        out += [f"  not a string: {key}" for key in self.not_text]
        out += [f"  same as English (untranslated?): {key}" for key in self.same_as_english]
        return out


def load(language: str, directory: Path = TRANSLATIONS) -> dict[str, Any]:
    """One translation file as a document."""
    document: dict[str, Any] = json.loads((directory / f"{language}.json").read_text("utf-8"))
    return document


def languages(directory: Path = TRANSLATIONS) -> list[str]:
    """Every translation besides English, sorted."""
    return sorted(path.stem for path in directory.glob("*.json") if path.stem != SOURCE)


def check_language(
    english: dict[str, Any],
    translation: dict[str, Any],
    language: str,
    same_as_english: frozenset[str] | None = None,
) -> LanguageReport:
    """Compare one translation with English: keys, placeholders, empty and untranslated texts."""
    allowed_same = (
        SAME_AS_ENGLISH.get(language, frozenset()) if same_as_english is None else (same_as_english)
    )
    source, target = flatten(english), flatten(translation)
    report = LanguageReport(language)
    report.missing = [key for key in source if key not in target]
    report.extra = [key for key in target if key not in source]
    for key, text in target.items():
        if key not in source:
            continue
        if not isinstance(text, str):
            report.not_text.append(key)
            continue
        if not text.strip():
            report.empty.append(key)
            continue
        want, got = placeholders(str(source[key])), placeholders(text)
        if want != got:
            report.placeholder_mismatches[key] = (sorted(want), sorted(got))
        # Only placeholders and punctuation ("{device}: {title}") has no words to translate.
        if text == source[key] and key not in allowed_same and _has_words(text):
            report.same_as_english.append(key)
    return report


def _has_words(text: str) -> bool:
    """True when the text has letters outside its placeholders."""
    try:
        without = "".join(literal for literal, _, _, _ in string.Formatter().parse(text))
    except ValueError:  # unbalanced braces: reported as a placeholder mismatch already
        return True
    return any(char.isalpha() for char in without)


def missing_texts(english: dict[str, Any], translation: dict[str, Any]) -> dict[str, str]:
    """Dotted key -> English text of every key the translation lacks."""
    target = flatten(translation)
    return {key: text for key, text in flatten(english).items() if key not in target}


def merge(english: dict[str, Any], translation: dict[str, Any], new: dict[str, str]) -> Any:
    """The translation with `new` (dotted keys) added, keys in en.json's order, extras dropped."""
    target = {**flatten(translation), **new}
    return unflatten({key: target[key] for key in flatten(english) if key in target})


def main(argv: list[str] | None = None) -> int:
    """Print the report (or the missing texts of one language, or merge translated texts)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missing", metavar="LANG", help="print LANG's missing keys as JSON")
    parser.add_argument("--merge", nargs=2, metavar=("LANG", "FILE"), help="merge FILE into LANG")
    args = parser.parse_args(argv)
    english = load(SOURCE)
    if args.missing:
        print(json.dumps(missing_texts(english, load(args.missing)), indent=2, ensure_ascii=False))
        return 0
    if args.merge:
        language, file = args.merge
        new = json.loads(Path(file).read_text("utf-8"))
        merged = merge(english, load(language), new)
        text = json.dumps(merged, indent=2, ensure_ascii=False) + "\n"
        (TRANSLATIONS / f"{language}.json").write_text(text, "utf-8")
        return 0
    reports = [check_language(english, load(lang), lang) for lang in languages()]
    for report in reports:
        print("\n".join(report.lines()))
    return 0 if all(report.ok for report in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
