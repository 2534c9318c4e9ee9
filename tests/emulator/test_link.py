"""The Link UI flow: session creation, the HTML page, confirm, cancel, replay, expiry, relink."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from enode_emulator import Emulator

from .conftest import METER, Api

REDIRECT = "https://app.example/done"


async def _page(api: Api, url: str) -> tuple[int, str]:
    async with api.session.get(url) as response:
        return response.status, await response.text()


async def _submit(api: Api, url: str, form: dict[str, str]) -> tuple[int, str]:
    async with api.session.post(url, data=form, allow_redirects=False) as response:
        return response.status, response.headers.get("Location", await response.text())


async def test_link_flow_with_vendor_picker(api: Api) -> None:
    session = await api.post(
        "/users/new-user/link",
        {
            "scopes": ["vehicle:read:data", "vehicle:read:location"],
            "language": "en-US",
            "redirectUri": REDIRECT,
        },
    )
    assert session["linkUrl"].startswith(api.emulator.base_url + "/link/")
    assert session["linkToken"] in session["linkUrl"]
    status, page = await _page(api, session["linkUrl"])
    assert status == 200
    assert 'id="confirm"' in page
    assert 'id="cancel"' in page
    vendors = re.findall(r'name="vendor" value="([A-Z]+)"', page)
    assert "TESLA" in vendors
    assert 'id="vendor-POLESTAR"' in page
    status, location = await _submit(
        api, session["linkUrl"], {"vendor": "POLESTAR", "action": "confirm"}
    )
    assert (status, location) == (302, REDIRECT)
    vehicles = (await api.get("/users/new-user/vehicles"))["data"]
    assert len(vehicles) == 1
    vehicle = vehicles[0]
    assert vehicle["vendor"] == "POLESTAR"
    assert vehicle["location"]["latitude"] is not None
    assert vehicle["capabilities"]["startCharging"]["isCapable"] is False  # no control scope
    assert vehicle["capabilities"]["location"]["isCapable"] is True
    user = await api.get("/users/new-user")
    assert user["linkedVendors"] == [
        {"vendor": "POLESTAR", "vendorType": "vehicle", "isValid": True}
    ]
    # Single use.
    status, page = await _page(api, session["linkUrl"])
    assert status == 410
    assert "already been used" in page
    status, _ = await _submit(api, session["linkUrl"], {"action": "confirm"})
    assert status == 410
    names = [e["event"] for e in api.emulator.events]
    assert "user:vehicle:discovered" in names
    discovered = [e for e in api.emulator.events if e["event"] == "user:vehicle:discovered"][-1]
    assert discovered["vehicle"]["chargeState"] is None
    assert discovered["vehicle"]["information"]["brand"] == "Polestar"


async def test_link_hem_vendor_with_fixed_vendor_creates_hem(api: Api) -> None:
    scopes = [
        "battery:read:data",
        "battery:control:operation_mode",
        "inverter:read:data",
        "meter:read:data",
    ]
    session = await api.post(
        "/users/solar/link",
        {"scopes": scopes, "language": "nb-NO", "redirectUri": REDIRECT, "vendor": "SOLAREDGE"},
    )
    status, page = await _page(api, session["linkUrl"])
    assert 'id="vendor-fixed"' in page
    assert 'type="radio"' not in page
    status, _ = await _submit(api, session["linkUrl"], {"action": "confirm"})
    assert status == 302
    battery = (await api.get("/users/solar/batteries"))["data"][0]
    assert battery["capabilities"]["selfReliance"]["isCapable"] is True
    assert battery["location"]["latitude"] is None  # no location scope
    hem = (await api.get("/users/solar/hem-systems"))["data"][0]
    assert battery["hemSystemId"] == hem["id"]
    assert len(hem["inverterIds"]) == len(hem["meterIds"]) == 1


async def test_cancel_redirects_with_error(api: Api) -> None:
    session = await api.post(
        "/users/u2/link",
        {
            "scopes": ["charger:read:data"],
            "language": "en-GB",
            "redirectUri": REDIRECT + "?state=1",
            "vendorType": "charger",
        },
    )
    status, location = await _submit(api, session["linkUrl"], {"action": "cancel"})
    assert status == 302
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["1"]
    assert query["error"] == ["user_cancelled"]
    assert query["error_message"]
    assert (await api.get("/users/u2/chargers"))["data"] == []


async def test_invalid_vendor_choice_keeps_session(api: Api) -> None:
    session = await api.post(
        "/users/u3/link",
        {"scopes": ["hvac:read:data"], "language": "browser", "redirectUri": REDIRECT},
    )
    status, _ = await _submit(api, session["linkUrl"], {"vendor": "NOPE", "action": "confirm"})
    assert status == 400
    status, location = await _submit(
        api, session["linkUrl"], {"vendor": "DAIKIN", "action": "confirm"}
    )
    assert (status, location) == (302, REDIRECT)


async def test_session_expires_after_24h(api: Api, emulator: Emulator) -> None:
    session = await api.post(
        "/users/u4/link",
        {"scopes": ["meter:read:data"], "language": "en-US", "redirectUri": REDIRECT},
    )
    await emulator.advance(24 * 3600)
    status, page = await _page(api, session["linkUrl"])
    assert status == 410
    assert "expired" in page
    status, _ = await _page(api, emulator.base_url + "/link/unknown-token")
    assert status == 404


@pytest.mark.parametrize(
    "body",
    [
        {"language": "en-US", "redirectUri": REDIRECT},
        {"scopes": [], "language": "en-US", "redirectUri": REDIRECT},
        {"scopes": ["vehicle:fly"], "language": "en-US", "redirectUri": REDIRECT},
        {"scopes": ["vehicle:read:data"], "language": "xx", "redirectUri": REDIRECT},
        {"scopes": ["vehicle:read:data"], "language": "en-US"},
        {"scopes": ["vehicle:read:data"], "language": "en-US", "redirectUri": "not a uri"},
        {
            "scopes": ["vehicle:read:data"],
            "language": "en-US",
            "redirectUri": REDIRECT,
            "vendorType": "boat",
        },
        {"scopes": ["vehicle:read:location"], "language": "en-US", "redirectUri": REDIRECT},
        {
            "scopes": ["vehicle:read:data"],
            "language": "en-US",
            "redirectUri": REDIRECT,
            "vendor": "ZAPTEC",
        },
        {
            "scopes": ["vehicle:read:data", "hvac:read:data"],
            "language": "en-US",
            "redirectUri": REDIRECT,
        },
        "text",
    ],
)
async def test_link_validation(api: Api, body: object) -> None:
    status, problem, _ = await api.call("POST", "/users/x/link", json=body)
    assert status == 400
    assert problem["title"] == "Payload validation failed"


async def test_relink_restores_validity(api: Api, emulator: Emulator) -> None:
    emulator.invalidate_credentials("demo-user", "HUAWEI")
    session = await api.post(
        f"/assets/{METER}/relink", {"language": "en-US", "redirectUri": REDIRECT}
    )
    status, page = await _page(api, session["linkUrl"])
    assert "Relink" in page
    status, location = await _submit(api, session["linkUrl"], {"action": "confirm"})
    assert (status, location) == (302, REDIRECT)
    user = await api.get("/users/demo-user")
    meter = [v for v in user["linkedVendors"] if v["vendorType"] == "meter"]
    assert meter[0]["isValid"] is True
    assert (
        await api.call(
            "POST", "/assets/nope/relink", json={"language": "en-US", "redirectUri": REDIRECT}
        )
    )[0] == 404
    assert (await api.call("POST", f"/assets/{METER}/relink", json={"language": "en-US"}))[0] == 400
    assert (await api.call("POST", f"/assets/{METER}/relink", json=[1]))[0] == 400
    hem = (await api.get("/hem-systems"))["data"][0]["id"]
    assert (
        await api.call(
            "POST", f"/assets/{hem}/relink", json={"language": "en-US", "redirectUri": REDIRECT}
        )
    )[0] == 400
