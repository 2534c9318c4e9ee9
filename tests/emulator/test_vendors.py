"""Interventions (catalogue, languages, on capabilities) and GET /integrations (vendor status)."""

from __future__ import annotations

from datetime import datetime, timedelta
import re
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from enode_emulator import Emulator
from enode_emulator.vendors import CATALOGUE, DEFAULT_LANGUAGE, LANGUAGES, language_of

from .conftest import CHARGER, VEHICLE, Api

VIRTUAL_KEY = "3f1c2a9e-7b4d-4e21-9c55-1a2b3c4d5e01"
RECONNECT = "3f1c2a9e-7b4d-4e21-9c55-1a2b3c4d5e05"
ZAPTEC_ACCESS = "3f1c2a9e-7b4d-4e21-9c55-1a2b3c4d5e04"
INTERVENTION_KEYS = {"id", "vendor", "vendorType", "brand", "introducedAt", "domain", "resolution"}


async def test_interventions_list_is_a_plain_array_with_every_required_key(api: Api) -> None:
    listed = await api.get("/interventions")
    assert isinstance(listed, list)
    assert {item["id"] for item in listed} == set(CATALOGUE)
    for item in listed:
        assert set(item) == INTERVENTION_KEYS
        assert item["domain"] in ("Account", "Device")
        assert {"title", "description", "access", "agent"} <= set(item["resolution"])
        assert item["resolution"]["access"] in ("Remote", "Physical")
        assert item["resolution"]["agent"] in ("User", "ThirdParty")
        # 2024-10-01: `action` is required (null or "Link"); timestamps carry their offset.
        assert item["resolution"]["action"] in (None, "Link")
        assert datetime.fromisoformat(item["introducedAt"]).utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("language", "title"),
    [
        (None, "Add a virtual key to your Tesla"),
        ("nb-NO", "Legg til en virtuell nøkkel i Teslaen din"),
        ("sv-SE", "Lägg till en virtuell nyckel i din Tesla"),
        ("de-DE", "Fügen Sie Ihrem Tesla einen virtuellen Schlüssel hinzu"),
        ("fr-FR", "Add a virtual key to your Tesla"),  # supported code, not translated here
        ("xx-XX", "Add a virtual key to your Tesla"),  # unsupported: en-US, not 400
    ],
)
async def test_intervention_language(api: Api, language: str | None, title: str) -> None:
    params = {"language": language} if language else None
    item = await api.get(f"/interventions/{VIRTUAL_KEY}", params=params)
    assert item["resolution"]["title"] == title
    listed = await api.get("/interventions", params=params)
    assert next(i for i in listed if i["id"] == VIRTUAL_KEY)["resolution"]["title"] == title


async def test_intervention_filters_and_unknown_id(api: Api) -> None:
    chargers = await api.get("/interventions", params={"vendorType": "charger"})
    assert [item["id"] for item in chargers] == [ZAPTEC_ACCESS]
    tesla = await api.get("/interventions", params={"vendor": "TESLA"})
    assert {item["vendor"] for item in tesla} == {"TESLA"}
    assert len(tesla) == 3
    status, body, headers = await api.call("GET", "/interventions/not-an-intervention")
    assert status == 404
    assert body["title"] == "Not Found"
    assert headers["Content-Type"].startswith("application/problem+json")
    reconnect = await api.get(f"/interventions/{RECONNECT}")
    assert reconnect["resolution"]["action"] == "Link"


async def test_interventions_need_a_token(api: Api) -> None:
    api.token = ""
    status, _, _ = await api.call("GET", "/interventions")
    assert status == 401


async def test_interventions_on_capabilities_block_them_and_clear(
    api: Api, emulator: Emulator
) -> None:
    status, data, _ = await api.call(
        "PUT", f"/_emulator/assets/{VEHICLE}/interventions", json={"interventionIds": [VIRTUAL_KEY]}
    )
    assert status == 200
    capabilities = (await api.get(f"/vehicles/{VEHICLE}"))["capabilities"]
    for name in ("startCharging", "stopCharging", "smartCharging"):
        assert capabilities[name] == {"isCapable": False, "interventionIds": [VIRTUAL_KEY]}
    assert capabilities["chargeState"] == {"isCapable": True, "interventionIds": []}
    assert data["capabilities"] == capabilities
    # The change is an update event like any other.
    updated = [e for e in emulator.events if e["event"] == "user:vehicle:updated"]
    assert "capabilities.startCharging.isCapable" in updated[-1]["updatedFields"]
    # A control the intervention blocks is refused.
    status, _, _ = await api.call("POST", f"/vehicles/{VEHICLE}/charging", json={"action": "START"})
    assert status == 400
    emulator.set_interventions(VEHICLE, [])
    capabilities = (await api.get(f"/vehicles/{VEHICLE}"))["capabilities"]
    assert capabilities["startCharging"] == {"isCapable": True, "interventionIds": []}


async def test_interventions_on_named_capabilities_and_bad_bodies(
    api: Api, emulator: Emulator
) -> None:
    emulator.set_interventions(CHARGER, [ZAPTEC_ACCESS], ["stopCharging"])
    capabilities = (await api.get(f"/chargers/{CHARGER}"))["capabilities"]
    assert capabilities["stopCharging"]["interventionIds"] == [ZAPTEC_ACCESS]
    assert capabilities["startCharging"]["interventionIds"] == []
    for body in (
        {"interventionIds": ["unknown"]},
        {"interventionIds": "x"},
        {"interventionIds": [ZAPTEC_ACCESS], "capabilities": ["nope"]},
        [],
    ):
        status, _, _ = await api.call(
            "PUT", f"/_emulator/assets/{CHARGER}/interventions", json=body
        )
        assert status == 400, body
    status, _, _ = await api.call(
        "PUT", "/_emulator/assets/unknown/interventions", json={"interventionIds": []}
    )
    assert status == 404


async def test_relink_resolves_link_interventions(api: Api, emulator: Emulator) -> None:
    emulator.set_interventions(VEHICLE, [RECONNECT, VIRTUAL_KEY])
    session = await api.post(
        f"/assets/{VEHICLE}/relink", {"language": "en-US", "redirectUri": "https://app/done"}
    )
    async with api.session.get(session["linkUrl"]) as page:
        html = await page.text()
    vendor = re.search(r'name="vendor" value="([^"]+)"', html)
    assert vendor is not None
    async with api.session.post(
        session["linkUrl"],
        data={"action": "confirm", "vendor": vendor.group(1)},
        allow_redirects=False,
    ) as answer:
        assert answer.status == 302
    capabilities = (await api.get(f"/vehicles/{VEHICLE}"))["capabilities"]
    # The reconnect intervention is gone; the virtual key one needs the person in the car.
    assert capabilities["chargeState"] == {"isCapable": True, "interventionIds": []}
    assert capabilities["startCharging"]["interventionIds"] == [VIRTUAL_KEY]


async def test_integrations_list_vendors_with_status_and_outage(
    api: Api, emulator: Emulator
) -> None:
    listed = await api.get("/integrations")
    assert isinstance(listed, list)
    # 2024-10-01's shape: one entry per vendor with its asset types.
    assert len({i["vendor"] for i in listed}) == len(listed)
    zaptec = next(i for i in listed if i["vendor"] == "ZAPTEC")
    assert zaptec == {
        "vendor": "ZAPTEC",
        "assetTypes": ["charger"],
        "displayName": "Zaptec",
        "portalName": "Zaptec",
        "status": "READY",
        "linkingStatus": "READY",
        "scopes": ["charger:read:data", "charger:control:charging"],
    }
    status, _, _ = await api.call(
        "PUT", "/_emulator/vendors/TESLA/status", json={"status": "OUTAGE"}
    )
    assert status == 204
    tesla = [i for i in await api.get("/integrations") if i["vendor"] == "TESLA"]
    assert len(tesla) == 1
    assert set(tesla[0]["assetTypes"]) >= {"vehicle", "charger"}
    assert (tesla[0]["status"], tesla[0]["linkingStatus"]) == ("OUTAGE", "OUTAGE")
    emulator.set_vendor_status("TESLA", "READY")
    tesla = [i for i in await api.get("/integrations") if i["vendor"] == "TESLA"]
    assert {i["status"] for i in tesla} == {"READY"}


@pytest.mark.parametrize(
    ("vendor", "body", "expected"),
    [
        ("TESLA", {"status": "BROKEN"}, 400),
        ("TESLA", {"status": "OUTAGE", "linkingStatus": "nope"}, 400),
        ("TESLA", [], 400),
        ("NOBODY", {"status": "OUTAGE"}, 404),
        ("TESLA", {"status": "ELEVATED_ERROR_RATE", "linkingStatus": "READY"}, 204),
    ],
)
async def test_vendor_status_validation(api: Api, vendor: str, body: Any, expected: int) -> None:
    status, _, _ = await api.call("PUT", f"/_emulator/vendors/{vendor}/status", json=body)
    assert status == expected


@given(st.one_of(st.none(), st.text(max_size=8), st.sampled_from(sorted(LANGUAGES))))
@settings(max_examples=50)
def test_language_of_serves_a_supported_code(query: str | None) -> None:
    """Whatever is asked, the answer is in a supported language; supported ones are kept."""
    served = language_of(query)
    assert served in LANGUAGES
    assert served == (query if query in LANGUAGES else DEFAULT_LANGUAGE)
