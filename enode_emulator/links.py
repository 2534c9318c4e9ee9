"""Link sessions and the Link UI page (plain HTML forms, no JavaScript)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
import html
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from . import link_texts
from .assets import build_asset
from .catalog import (
    KNOWN_SCOPES,
    READ_SCOPE,
    VENDOR_TYPES,
    Product,
    VendorType,
    product,
    vendors_for,
)
from .models import JSON, Asset
from .problems import ProblemError
from .state import Store

if TYPE_CHECKING:
    from .vendors import Vendors

SESSION_LIFETIME = timedelta(hours=24)
LANGUAGES = frozenset(
    {
        "browser", "da-DK", "de-DE", "en-US", "en-GB", "es-ES", "fi-FI", "fr-FR", "it-IT",
        "ja-JP", "lt-LT", "lv-LV", "nb-NO", "nl-NL", "nl-BE", "pl-PL", "pt-PT", "ro-RO", "sv-SE",
    }
)  # fmt: skip


@dataclass
class LinkSession:
    """One single-use link (or relink) session."""

    token: str
    user_id: str
    scopes: list[str]
    kinds: list[VendorType]
    vendor: str | None
    redirect_uri: str
    language: str
    created_at: datetime
    relink_asset_id: str | None = None
    used: bool = False
    # The language the Link page was last shown in (`language`, or the browser's for "browser").
    shown_language: str | None = None


class LinkError(Exception):
    """A Link page error shown as an HTML page."""

    def __init__(self, status: int, message: str) -> None:
        """Create an error with an HTTP status."""
        super().__init__(message)
        self.status = status
        self.message = message


class LinkManager:
    """Creates sessions, renders the Link page and performs the linking."""

    def __init__(self, store: Store, vendors: Vendors | None = None) -> None:
        """Initialise the manager (a relink resolves the asset's Link interventions)."""
        self.store = store
        self.vendors = vendors
        self.sessions: dict[str, LinkSession] = {}

    def create(self, user_id: str, body: Any) -> LinkSession:
        """Validate a `POST /users/{id}/link` body and open a session."""
        if not isinstance(body, dict):
            raise ProblemError(400, "The body must be a JSON object", "Payload validation failed")
        scopes = body.get("scopes")
        if not isinstance(scopes, list) or not scopes:
            raise ProblemError(
                400, '"scopes" must be a non-empty array', "Payload validation failed"
            )
        unknown = [scope for scope in scopes if scope not in KNOWN_SCOPES]
        if unknown:
            raise ProblemError(400, f"Unknown scopes: {unknown}", "Payload validation failed")
        redirect, language = self._common(body)
        vendor_type = body.get("vendorType")
        if vendor_type is not None and vendor_type not in VENDOR_TYPES:
            raise ProblemError(
                400, f"Unknown vendorType {vendor_type}", "Payload validation failed"
            )
        kinds = (
            [vendor_type]
            if vendor_type
            else [kind for kind in VENDOR_TYPES if any(s.startswith(f"{kind}:") for s in scopes)]
        )
        missing = [READ_SCOPE[kind] for kind in kinds if READ_SCOPE[kind] not in scopes]
        if missing:
            raise ProblemError(
                400, f"Missing required scopes: {missing}", "Payload validation failed"
            )
        vendor = body.get("vendor")
        offered = {item.vendor for item in vendors_for(kinds)}
        if vendor is not None and vendor not in offered:
            raise ProblemError(
                400, f"Vendor {vendor} does not support {kinds}", "Payload validation failed"
            )
        if not offered:
            raise ProblemError(
                400, f"No vendor supports all of {kinds}", "Payload validation failed"
            )
        self.store.ensure_user(user_id)
        return self._open(
            user_id,
            scopes=list(scopes),
            kinds=kinds,
            vendor=vendor,
            redirect=redirect,
            language=language,
        )

    def create_relink(self, asset_id: str, body: Any) -> LinkSession:
        """Open a relink session for an existing asset."""
        asset = self.store.find_asset(asset_id)
        if asset.kind == "hem-system":
            raise ProblemError(400, "HEM systems cannot be relinked")
        if not isinstance(body, dict):
            raise ProblemError(400, "The body must be a JSON object", "Payload validation failed")
        redirect, language = self._common(body)
        kind: VendorType = asset.kind
        session = self._open(
            asset.user_id,
            scopes=list(asset.data["scopes"]),
            kinds=[kind],
            vendor=asset.vendor,
            redirect=redirect,
            language=language,
        )
        session.relink_asset_id = asset.id
        return session

    @staticmethod
    def _common(body: JSON) -> tuple[str, str]:
        redirect = body.get("redirectUri")
        if not isinstance(redirect, str) or not redirect or len(redirect) > 500:
            raise ProblemError(400, '"redirectUri" is required', "Payload validation failed")
        if not urlsplit(redirect).scheme:
            raise ProblemError(400, '"redirectUri" must be a URI', "Payload validation failed")
        language = body.get("language")
        if language not in LANGUAGES:
            raise ProblemError(
                400,
                '"language" is required and must be a supported language',
                "Payload validation failed",
            )
        return redirect, str(language)

    def _open(
        self,
        user_id: str,
        *,
        scopes: list[str],
        kinds: list[VendorType],
        vendor: str | None,
        redirect: str,
        language: str,
    ) -> LinkSession:
        session = LinkSession(
            token=secrets.token_urlsafe(24),
            user_id=user_id,
            scopes=scopes,
            kinds=kinds,
            vendor=vendor,
            redirect_uri=redirect,
            language=language,
            created_at=self.store.clock.now(),
        )
        self.sessions[session.token] = session
        return session

    def active(self, token: str) -> LinkSession:
        """Return an unused, unexpired session or raise `LinkError`."""
        session = self.sessions.get(token)
        if session is None:
            raise LinkError(404, "This link session does not exist.")
        if session.used:
            raise LinkError(410, "This link session has already been used.")
        if self.store.clock.now() >= session.created_at + SESSION_LIFETIME:
            raise LinkError(410, "This link session has expired.")
        return session

    def render(self, token: str, accept_language: str | None = None) -> str:
        """Return the Link page for a session, in its language (or the browser's)."""
        session = self.active(token)
        language = link_texts.page_language(session.language, accept_language, LANGUAGES)
        text = link_texts.texts(language)
        session.shown_language = language
        kinds = ", ".join(session.kinds)
        if session.vendor is not None:
            choice = (
                f'<p id="vendor-fixed">{text["vendor"]}: {html.escape(session.vendor)}</p>'
                f'<input type="hidden" name="vendor" value="{html.escape(session.vendor)}">'
            )
        else:
            choice = (
                f'<fieldset id="vendors"><legend>{text["brand"]}</legend>'
                + "".join(
                    _radio(item, index == 0)
                    for index, item in enumerate(vendors_for(session.kinds))
                )
                + "</fieldset>"
            )
        scopes = "".join(f"<li>{html.escape(scope)}</li>" for scope in session.scopes)
        title = text["relink_title"] if session.relink_asset_id else text["title"]
        return (
            f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
            f"<title>Enode emulator: {title}</title></head><body>"
            f'<h1 id="title">{title}</h1>'
            f'<p id="kinds">{text["kinds"]}: {html.escape(kinds)}</p>'
            f'<ul id="scopes">{scopes}</ul>'
            f'<form id="link-form" method="post" action="/link/{html.escape(token)}">{choice}'
            f'<button id="confirm" type="submit" name="action" value="confirm">'
            f"{text['confirm']}</button>"
            f'<button id="cancel" type="submit" name="action" value="cancel">'
            f"{text['cancel']}</button>"
            "</form></body></html>"
        )

    def submit(self, token: str, form: dict[str, str]) -> str:
        """Handle the posted form and return the redirect location."""
        session = self.active(token)
        session.used = True
        if form.get("action") == "cancel":
            params = {"error": "user_cancelled", "error_message": "The user cancelled linking"}
            return _with_query(session.redirect_uri, params)
        vendor = session.vendor or form.get("vendor")
        offered = {item.vendor for item in vendors_for(session.kinds)}
        if vendor not in offered:
            session.used = False  # let the person pick a valid vendor and try again
            raise LinkError(400, "Choose one of the listed vendors.")
        if session.relink_asset_id is not None:
            self._relink(session)
        else:
            self._link(session, str(vendor))
        return session.redirect_uri

    def _link(self, session: LinkSession, vendor: str) -> None:
        site = self.store.home_site(session.user_id)
        now = self.store.clock.now()
        for kind in session.kinds:
            item = product(kind, vendor)
            assert item is not None  # noqa: S101 - vendors_for guaranteed it
            scopes = [scope for scope in session.scopes if scope.startswith(f"{kind}:")]
            asset = build_asset(
                kind,
                user_id=session.user_id,
                vendor=vendor,
                brand=item.brand,
                model=item.model,
                scopes=scopes,
                site=site,
                now=now,
                seq=self.store.next_seq(),
            )
            self.store.add_asset(asset)
        self.store.group_hem(site, vendor)

    def _relink(self, session: LinkSession) -> None:
        asset: Asset = self.store.find_asset(str(session.relink_asset_id))
        user = self.store.get_user(asset.user_id)
        # Signing in again restores the vendor account's credentials, which every asset type
        # of that vendor shares (invalidation, too, applies to the whole vendor) [?].
        for item in user.linked_vendors:
            if item["vendor"] == asset.vendor:
                item["isValid"] = True
        before = copy.deepcopy(asset.data)
        asset.data["isReachable"] = True
        self.store.commit(asset, before)
        if self.vendors is not None:
            self.vendors.clear_link_interventions(asset)


def _radio(item: Product, checked: bool) -> str:
    vendor = html.escape(item.vendor)
    mark = " checked" if checked else ""
    return (
        f'<label><input type="radio" id="vendor-{vendor}" name="vendor" value="{vendor}"{mark}>'
        f"{html.escape(item.brand)} ({html.escape(item.model)})</label><br>"
    )


def _with_query(uri: str, params: dict[str, str]) -> str:
    separator = "&" if urlsplit(uri).query else "?"
    return uri + separator + urlencode(params)
