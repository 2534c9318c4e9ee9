"""The Link UI's language: which one a session shows, and the page's texts in it.

Enode Link opens in the session's `language`; `browser` means the browser's Accept-Language,
falling back to en-US (API.md 7.1). The emulator translates its few page texts into the Nordic
and large European languages; other supported languages show English texts but still declare
their language on the page (`<html lang>`), which is what tests look at.
"""

from __future__ import annotations

from typing import Final

FALLBACK: Final = "en-US"
# A bare language in Accept-Language goes to this code where the language has several.
_BARE: Final = {"en": "en-US", "nl": "nl-NL", "no": "nb-NO", "nn": "nb-NO"}

# Keys: title, relink_title, kinds, brand, vendor, confirm, cancel.
_ENGLISH: Final = {
    "title": "Link your devices",
    "relink_title": "Relink your device",
    "kinds": "Asset types",
    "brand": "Choose your brand",
    "vendor": "Vendor",
    "confirm": "Connect",
    "cancel": "Cancel",
}
TEXTS: Final[dict[str, dict[str, str]]] = {
    "nb": {
        "title": "Koble til enhetene dine",
        "relink_title": "Koble til enheten din på nytt",
        "kinds": "Enhetstyper",
        "brand": "Velg merke",
        "vendor": "Leverandør",
        "confirm": "Koble til",
        "cancel": "Avbryt",
    },
    "sv": {
        "title": "Anslut dina enheter",
        "relink_title": "Anslut din enhet igen",
        "kinds": "Enhetstyper",
        "brand": "Välj märke",
        "vendor": "Leverantör",
        "confirm": "Anslut",
        "cancel": "Avbryt",
    },
    "da": {
        "title": "Forbind dine enheder",
        "relink_title": "Forbind din enhed igen",
        "kinds": "Enhedstyper",
        "brand": "Vælg mærke",
        "vendor": "Leverandør",
        "confirm": "Forbind",
        "cancel": "Annuller",
    },
    "fi": {
        "title": "Yhdistä laitteesi",
        "relink_title": "Yhdistä laitteesi uudelleen",
        "kinds": "Laitetyypit",
        "brand": "Valitse merkki",
        "vendor": "Valmistaja",
        "confirm": "Yhdistä",
        "cancel": "Peruuta",
    },
    "de": {
        "title": "Geräte verbinden",
        "relink_title": "Gerät erneut verbinden",
        "kinds": "Gerätetypen",
        "brand": "Marke wählen",
        "vendor": "Hersteller",
        "confirm": "Verbinden",
        "cancel": "Abbrechen",
    },
    "nl": {
        "title": "Koppel je apparaten",
        "relink_title": "Koppel je apparaat opnieuw",
        "kinds": "Apparaattypen",
        "brand": "Kies je merk",
        "vendor": "Fabrikant",
        "confirm": "Koppelen",
        "cancel": "Annuleren",
    },
    "fr": {
        "title": "Connectez vos appareils",
        "relink_title": "Reconnectez votre appareil",
        "kinds": "Types d'appareils",
        "brand": "Choisissez votre marque",
        "vendor": "Fabricant",
        "confirm": "Connecter",
        "cancel": "Annuler",
    },
}


def page_language(
    session_language: str, accept_language: str | None, supported: frozenset[str]
) -> str:
    """The language the Link page shows: the session's, or for `browser` the browser's."""
    if session_language != "browser":
        return session_language
    return _from_accept_language(accept_language or "", supported)


def _from_accept_language(header: str, supported: frozenset[str]) -> str:
    """The first supported language of an Accept-Language header by quality, else en-US.

    A bare language ("nb") matches the supported code of that language ("nb-NO").
    """
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, index, tag.strip().lower()))
    by_lower = {code.lower(): code for code in supported if code != "browser"}
    for _, _, tag in sorted(ranked):
        if tag in by_lower:
            return by_lower[tag]
        primary = tag.split("-")[0]
        if primary in _BARE and _BARE[primary] in supported:
            return _BARE[primary]
        same = sorted(code for lower, code in by_lower.items() if lower.split("-")[0] == primary)
        if same:
            return same[0]
    return FALLBACK


def texts(language: str) -> dict[str, str]:
    """The page texts in a language (English for languages the emulator does not translate)."""
    return TEXTS.get(language.split("-", maxsplit=1)[0], _ENGLISH)
