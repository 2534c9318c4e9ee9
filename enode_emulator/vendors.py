"""Interventions (SMART.md 8) and vendor availability (`GET /integrations`, SMART.md 10).

The intervention catalogue is fixed: a few realistic cases with their resolution in several
languages (en-US, en-GB, de-DE, nb-NO, sv-SE; Enode's other codes fall back to en-US here, as an
unsupported one does at Enode). The admin API puts intervention ids on an asset's capabilities
(`isCapable: false` while they are there) and sets a vendor's status to simulate an outage.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Final

from .catalog import (
    CONTROL_SCOPE,
    LOCATION_SCOPE,
    PRODUCTS,
    READ_SCOPE,
    VENDOR_TYPES,
    VendorType,
)
from .models import JSON, Asset
from .problems import ProblemError
from .state import Store

# Enode's language codes for interventions (2024-10-01 `ListInterventionsRequest`); anything else
# (or none) means en-US.
LANGUAGES: Final = frozenset(
    {
        "en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "ja-JP", "pt-PT", "lv-LV", "lt-LT", "nl-NL",
        "nl-BE", "nb-NO", "pl-PL", "sv-SE", "da-DK", "fi-FI", "ro-RO",
    }
)  # fmt: skip
DEFAULT_LANGUAGE: Final = "en-US"
STATUSES: Final = ("READY", "ELEVATED_ERROR_RATE", "OUTAGE")


@dataclass(frozen=True)
class CatalogueEntry:
    """One intervention and the capabilities it blocks when the admin API sets it by default."""

    id: str
    vendor: str
    vendor_type: VendorType
    brand: str
    introduced_at: str
    domain: str  # Account or Device
    access: str  # Remote or Physical
    agent: str  # User or ThirdParty
    blocks: tuple[str, ...]
    # Language code -> (title, Markdown description).
    texts: dict[str, tuple[str, str]]
    action: str | None = None  # "Link": a relink session resolves it [D]

    def to_json(self, language: str | None) -> JSON:
        """The Intervention object of the API in a language (en-US when not translated)."""
        title, description = self.texts.get(language or "", self.texts[DEFAULT_LANGUAGE])
        resolution: JSON = {
            "title": title,
            "description": description,
            "access": self.access,
            "agent": self.agent,
            "action": self.action,  # required by the spec, null when Link cannot resolve it
        }
        return {
            "id": self.id,
            "vendor": self.vendor,
            "vendorType": self.vendor_type,
            "brand": self.brand,
            "introducedAt": self.introduced_at,
            "domain": self.domain,
            "resolution": resolution,
        }


def _english(title: str, description: str) -> dict[str, tuple[str, str]]:
    return {"en-US": (title, description), "en-GB": (title, description)}


CATALOGUE: Final[dict[str, CatalogueEntry]] = {
    entry.id: entry
    for entry in (
        CatalogueEntry(
            id="3f1c2a9e-7b4d-4e21-9c55-1a2b3c4d5e01",
            vendor="TESLA",
            vendor_type="vehicle",
            brand="Tesla",
            introduced_at="2023-11-02T00:00:00Z",
            domain="Device",
            access="Physical",
            agent="User",
            blocks=("startCharging", "stopCharging", "setMaxCurrent", "smartCharging"),
            texts={
                **_english(
                    "Add a virtual key to your Tesla",
                    "To control charging, your Tesla needs a virtual key:<br><br>"
                    "1. Sit in the car with your phone key nearby<br>"
                    "2. Open the **Tesla app** and follow the prompt to add the key",
                ),
                "de-DE": (
                    "Fügen Sie Ihrem Tesla einen virtuellen Schlüssel hinzu",
                    (
                        "Um das Laden zu steuern, braucht Ihr Tesla einen virtuellen Schlüssel:"
                        "<br><br>1. Setzen Sie sich mit Ihrem Telefonschlüssel ins Auto<br>"
                        "2. Öffnen Sie die **Tesla-App** und fügen Sie den Schlüssel hinzu"
                    ),
                ),
                "nb-NO": (
                    "Legg til en virtuell nøkkel i Teslaen din",
                    (
                        "For å styre ladingen trenger Teslaen en virtuell nøkkel:<br><br>"
                        "1. Sett deg i bilen med telefonnøkkelen i nærheten<br>"
                        "2. Åpne **Tesla-appen** og følg veiledningen for å legge til nøkkelen"
                    ),
                ),
                "sv-SE": (
                    "Lägg till en virtuell nyckel i din Tesla",
                    (
                        "För att styra laddningen behöver din Tesla en virtuell nyckel:<br><br>"
                        "1. Sätt dig i bilen med telefonnyckeln i närheten<br>"
                        "2. Öppna **Tesla-appen** och följ anvisningen för att lägga till nyckeln"
                    ),
                ),
            },
        ),
        CatalogueEntry(
            id="3f1c2a9e-7b4d-4e21-9c55-1a2b3c4d5e02",
            vendor="TESLA",
            vendor_type="vehicle",
            brand="Tesla",
            introduced_at="2023-03-16T00:00:00Z",
            domain="Device",
            access="Physical",
            agent="User",
            blocks=("location",),
            texts={
                **_english(
                    "Allow mobile access in your Tesla",
                    "Your Tesla does not share its location. In the car, open **Controls > "
                    "Safety** and turn on **Allow Mobile Access**.",
                ),
                "de-DE": (
                    "Erlauben Sie den mobilen Zugriff in Ihrem Tesla",
                    (
                        "Ihr Tesla teilt seinen Standort nicht. Öffnen Sie im Auto **Steuerung > "
                        "Sicherheit** und aktivieren Sie **Mobilen Zugriff erlauben**."
                    ),
                ),
                "nb-NO": (
                    "Tillat mobiltilgang i Teslaen din",
                    (
                        "Teslaen din deler ikke posisjonen sin. Åpne **Kontroller > Sikkerhet** i "
                        "bilen og slå på **Tillat mobiltilgang**."
                    ),
                ),
                "sv-SE": (
                    "Tillåt mobil åtkomst i din Tesla",
                    (
                        "Din Tesla delar inte sin position. Öppna **Reglage > Säkerhet** i bilen "
                        "och slå på **Tillåt mobil åtkomst**."
                    ),
                ),
            },
        ),
        CatalogueEntry(
            id="3f1c2a9e-7b4d-4e21-9c55-1a2b3c4d5e03",
            vendor="VOLKSWAGEN",
            vendor_type="vehicle",
            brand="Volkswagen",
            introduced_at="2024-02-12T00:00:00Z",
            domain="Account",
            access="Remote",
            agent="User",
            blocks=("chargeState", "startCharging", "stopCharging", "smartCharging"),
            texts={
                **_english(
                    "Accept the Volkswagen terms and conditions",
                    "Volkswagen has new terms and conditions. Open the **We Connect ID. app** "
                    "and accept them to share your car's data again.",
                ),
                "de-DE": (
                    "Akzeptieren Sie die Nutzungsbedingungen von Volkswagen",
                    (
                        "Volkswagen hat neue Nutzungsbedingungen. Öffnen Sie die **We Connect ID. "
                        "App** und akzeptieren Sie sie, um die Daten Ihres Autos wieder zu teilen."
                    ),
                ),
                "nb-NO": (
                    "Godta vilkårene til Volkswagen",
                    (
                        "Volkswagen har nye vilkår. Åpne **We Connect ID.-appen** og godta dem "
                        "for å dele bilens data igjen."
                    ),
                ),
                "sv-SE": (
                    "Godkänn Volkswagens villkor",
                    (
                        "Volkswagen har nya villkor. Öppna **We Connect ID.-appen** och godkänn "
                        "dem för att dela bilens data igen."
                    ),
                ),
            },
        ),
        CatalogueEntry(
            id="3f1c2a9e-7b4d-4e21-9c55-1a2b3c4d5e04",
            vendor="ZAPTEC",
            vendor_type="charger",
            brand="Zaptec",
            introduced_at="2023-06-01T00:00:00Z",
            domain="Account",
            access="Remote",
            agent="ThirdParty",
            blocks=("startCharging", "stopCharging", "setMaxCurrent"),
            texts={
                **_english(
                    "Ask the installation owner for access",
                    "Your Zaptec account cannot control this charger. Ask the owner of the "
                    "installation (often your housing association) to give you access in the "
                    "**Zaptec Portal**.",
                ),
                "de-DE": (
                    "Bitten Sie den Eigentümer der Installation um Zugriff",
                    (
                        "Ihr Zaptec-Konto kann diese Ladestation nicht steuern. Bitten Sie den "
                        "Eigentümer der Installation, Ihnen im **Zaptec Portal** Zugriff zu geben."
                    ),
                ),
                "nb-NO": (
                    "Be eieren av installasjonen om tilgang",
                    (
                        "Zaptec-kontoen din kan ikke styre denne laderen. Be eieren av "
                        "installasjonen (ofte borettslaget) om å gi deg tilgang i "
                        "**Zaptec Portal**."
                    ),
                ),
                "sv-SE": (
                    "Be ägaren av installationen om åtkomst",
                    (
                        "Ditt Zaptec-konto kan inte styra den här laddaren. Be ägaren av "
                        "installationen (ofta bostadsrättsföreningen) att ge dig åtkomst i "
                        "**Zaptec Portal**."
                    ),
                ),
            },
        ),
        CatalogueEntry(
            id="3f1c2a9e-7b4d-4e21-9c55-1a2b3c4d5e05",
            vendor="TESLA",
            vendor_type="vehicle",
            brand="Tesla",
            introduced_at="2024-05-20T00:00:00Z",
            domain="Account",
            access="Remote",
            agent="User",
            blocks=("chargeState", "startCharging", "stopCharging"),
            action="Link",
            texts={
                **_english(
                    "Reconnect your Tesla account",
                    "Tesla no longer accepts the connection. Sign in to your Tesla account "
                    "again through Enode Link.",
                ),
                "de-DE": (
                    "Verbinden Sie Ihr Tesla-Konto erneut",
                    (
                        "Tesla akzeptiert die Verbindung nicht mehr. Melden Sie sich über Enode "
                        "Link erneut bei Ihrem Tesla-Konto an."
                    ),
                ),
                "nb-NO": (
                    "Koble til Tesla-kontoen din på nytt",
                    (
                        "Tesla godtar ikke lenger tilkoblingen. Logg inn på Tesla-kontoen din "
                        "igjen via Enode Link."
                    ),
                ),
                "sv-SE": (
                    "Anslut ditt Tesla-konto igen",
                    (
                        "Tesla godtar inte längre anslutningen. Logga in på ditt Tesla-konto igen "
                        "via Enode Link."
                    ),
                ),
            },
        ),
    )
}


def language_of(query: str | None) -> str:
    """The language an intervention is served in: a supported code, else en-US."""
    return query if query in LANGUAGES else DEFAULT_LANGUAGE


@dataclass
class Vendors:
    """Vendor statuses (READY unless the admin API says otherwise) and intervention state."""

    store: Store
    # Vendor -> (status, linkingStatus) for every asset type of that vendor.
    statuses: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Vendors listed without `assetTypes` (one entry for all their types). Immutable with a
    # class default, so state files written before it existed still load.
    untyped: frozenset[str] = frozenset()

    def list_interventions(self, query: dict[str, str]) -> list[JSON]:
        """`GET /interventions` with its optional filters."""
        language = language_of(query.get("language"))
        return [
            entry.to_json(language)
            for entry in CATALOGUE.values()
            if query.get("vendor") in (None, entry.vendor)
            and query.get("vendorType") in (None, entry.vendor_type)
        ]

    def get_intervention(self, intervention_id: str, query: dict[str, str]) -> JSON:
        """`GET /interventions/{id}`; 404 when unknown."""
        entry = CATALOGUE.get(intervention_id)
        if entry is None:
            raise ProblemError(404, "Intervention not found", "Not Found")
        return entry.to_json(language_of(query.get("language")))

    def integrations(self) -> list[JSON]:
        """`GET /integrations`: one entry per vendor with its asset types (2024-10-01 shape)."""
        entries: dict[str, JSON] = {}
        for kind in VENDOR_TYPES:
            scopes = [READ_SCOPE[kind]]
            scopes += [s for s in (LOCATION_SCOPE.get(kind), CONTROL_SCOPE.get(kind)) if s]
            for item in PRODUCTS[kind]:
                status, linking = self.statuses.get(item.vendor, ("READY", "READY"))
                entry = entries.setdefault(
                    item.vendor,
                    {
                        "vendor": item.vendor,
                        "displayName": item.brand,
                        "assetTypes": [],
                        "scopes": [],
                        "status": status,
                        "portalName": item.brand,
                        "linkingStatus": linking,
                    },
                )
                if kind not in entry["assetTypes"]:
                    entry["assetTypes"].append(kind)
                entry["scopes"] += [scope for scope in scopes if scope not in entry["scopes"]]
        for vendor in self.untyped & entries.keys():
            del entries[vendor]["assetTypes"]  # a vendor-wide entry: no types named
        return list(entries.values())

    def set_status(self, vendor: str, body: Any) -> None:
        """Set a vendor's status (`{status, linkingStatus?, untyped?}`); READY clears it.

        `untyped: true` lists the vendor without `assetTypes` (a vendor-wide entry, off the
        2024-10-01 spec, which requires the list: clients must still read such an entry).
        """
        if not any(item.vendor == vendor for items in PRODUCTS.values() for item in items):
            raise ProblemError(404, f"Unknown vendor {vendor}")
        if not isinstance(body, dict) or body.get("status") not in STATUSES:
            raise ProblemError(400, f"'status' must be one of {list(STATUSES)}")
        status = str(body["status"])
        linking = body.get("linkingStatus", status)
        if linking not in STATUSES:
            raise ProblemError(400, f"'linkingStatus' must be one of {list(STATUSES)}")
        untyped = body.get("untyped", False)
        if not isinstance(untyped, bool):
            raise ProblemError(400, "'untyped' must be a boolean")
        self.untyped = self.untyped | {vendor} if untyped else self.untyped - {vendor}
        if status == "READY" and linking == "READY":
            self.statuses.pop(vendor, None)
        else:
            self.statuses[vendor] = (status, str(linking))

    def set_interventions(self, asset_id: str, body: Any) -> Asset:
        """Put intervention ids on an asset's capabilities (replacing what it had).

        Body `{interventionIds: [...], capabilities?: [...]}`: every listed capability gets
        `isCapable: false` with those ids; without `capabilities`, each intervention blocks its
        catalogue default. Capabilities no longer named get their own `isCapable` back.
        """
        asset = self.store.find_asset(asset_id)
        if not isinstance(body, dict):
            raise ProblemError(400, "The body must be a JSON object")
        ids = body.get("interventionIds")
        if not isinstance(ids, list) or any(i not in CATALOGUE for i in ids):
            raise ProblemError(400, "'interventionIds' must list known intervention ids")
        named = body.get("capabilities")
        capabilities = {
            name: cap
            for name, cap in (asset.data.get("capabilities") or {}).items()
            if isinstance(cap, dict)
        }
        if named is not None and (
            not isinstance(named, list) or any(n not in capabilities for n in named)
        ):
            raise ProblemError(400, "'capabilities' must name capabilities of the asset")
        wanted: dict[str, list[str]] = {}
        for intervention_id in ids:
            for name in named if named is not None else CATALOGUE[intervention_id].blocks:
                if name in capabilities and intervention_id not in wanted.get(name, []):
                    wanted.setdefault(name, []).append(intervention_id)
        self._apply(asset, wanted)
        return asset

    def clear_link_interventions(self, asset: Asset) -> None:
        """A relink resolved the asset's interventions that Enode Link resolves."""
        held = self.held(asset)
        kept = {
            name: [i for i in ids if CATALOGUE[i].action != "Link"] for name, ids in held.items()
        }
        self._apply(asset, {name: ids for name, ids in kept.items() if ids})

    @staticmethod
    def held(asset: Asset) -> dict[str, list[str]]:
        """The intervention ids on each capability of an asset."""
        capabilities: dict[str, Any] = asset.data.get("capabilities") or {}
        return {
            name: [i for i in cap.get("interventionIds", []) if i in CATALOGUE]
            for name, cap in capabilities.items()
            if isinstance(cap, dict) and cap.get("interventionIds")
        }

    def _apply(self, asset: Asset, wanted: dict[str, list[str]]) -> None:
        before = copy.deepcopy(asset.data)
        capabilities: dict[str, Any] = asset.data.get("capabilities") or {}
        # What each capability was before an intervention blocked it (hidden state).
        original: dict[str, bool] = asset.sim.setdefault("capableBeforeInterventions", {})
        for name, capability in capabilities.items():
            if not isinstance(capability, dict):
                continue  # e.g. an HVAC's capableModes list
            ids = wanted.get(name, [])
            if ids:
                original.setdefault(name, bool(capability.get("isCapable")))
                capability["isCapable"] = False
                capability["interventionIds"] = list(ids)
            elif name in original:
                capability["isCapable"] = original.pop(name)
                capability["interventionIds"] = []
        self.store.commit(asset, before)
