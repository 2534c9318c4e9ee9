"""Interventions and vendor availability: models, language choice, and the client's requests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from hypothesis import given, strategies as st
import pytest

from aioenode import (
    DEFAULT_INTERVENTION_LANGUAGE,
    INTERVENTION_LANGUAGES,
    AssetType,
    EnodeClient,
    EnodeInvalidResponseError,
    EnodeNotFoundError,
    Intervention,
    intervention_language,
    parse_integrations,
    parse_interventions,
)
from enode_emulator import Emulator, EmulatorConfig

from .conftest import FakeEnode, reply

VIRTUAL_KEY = "3f1c2a9e-7b4d-4e21-9c55-1a2b3c4d5e01"
RECONNECT = "3f1c2a9e-7b4d-4e21-9c55-1a2b3c4d5e05"
VEHICLE = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b01"
OPENAPI_EXAMPLE: dict[str, Any] = {
    "id": "9d90a9ad-9b24-4ce0-94e9-e888b1b877f4",
    "vendor": "AUDI",
    "vendorType": "vehicle",
    "brand": "Audi",
    "introducedAt": "2023-03-16T00:00:00",
    "domain": "Account",
    "resolution": {
        "title": "Accept the Audi terms and conditions",
        "description": "1. Open the **myAudi app**<br>2. Accept",
        "access": "Remote",
        "agent": "User",
    },
}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nb", "nb-NO"),
        ("no", "nb-NO"),
        ("nn", "nb-NO"),
        ("sv", "sv-SE"),
        ("de", "de-DE"),
        ("en", "en-US"),
        ("en-GB", "en-GB"),
        ("en_gb", "en-GB"),
        ("pt-BR", "pt-PT"),
        ("nl", "nl-NL"),
        ("nl-BE", "nl-BE"),
        ("zh-Hans", "en-US"),
        ("", "en-US"),
        (None, "en-US"),
    ],
)
def test_intervention_language(language: str | None, expected: str) -> None:
    assert intervention_language(language) == expected


@given(st.one_of(st.none(), st.text(max_size=12)))
def test_intervention_language_is_always_one_enode_offers(language: str | None) -> None:
    assert intervention_language(language) in INTERVENTION_LANGUAGES


def test_intervention_from_the_openapi_example() -> None:
    item = Intervention.from_dict(OPENAPI_EXAMPLE)
    assert item.id == OPENAPI_EXAMPLE["id"]
    assert (item.vendor, item.vendor_type, item.brand, item.domain) == (
        "AUDI",
        "vehicle",
        "Audi",
        "Account",
    )
    assert item.introduced_at is not None
    assert item.introduced_at.year == 2023
    assert item.resolution.title == "Accept the Audi terms and conditions"
    assert (item.resolution.access, item.resolution.agent) == ("Remote", "User")
    assert item.resolution.action is None
    assert not item.resolvable_by_link
    linkable = {
        **OPENAPI_EXAMPLE,
        "resolution": {**OPENAPI_EXAMPLE["resolution"], "action": "Link"},
    }
    assert Intervention.from_dict(linkable).resolvable_by_link


def test_parse_interventions_tolerates_shapes() -> None:
    assert [i.id for i in parse_interventions([OPENAPI_EXAMPLE, {"vendor": "x"}, 3])] == [
        OPENAPI_EXAMPLE["id"]
    ]
    assert len(parse_interventions({"data": [OPENAPI_EXAMPLE]})) == 1
    assert parse_interventions("nope") == []
    broken = Intervention.from_dict({"id": "a", "resolution": "not an object"})
    assert broken.resolution.title is None


def test_parse_integrations_flat_grouped_and_paged() -> None:
    flat = parse_integrations(
        [
            {"vendor": "TESLA", "vendorType": "vehicle", "status": "OUTAGE", "scopes": ["a"]},
            {"vendor": "ZAPTEC", "assetType": "charger", "status": "READY"},
            {"displayName": "no vendor"},
            "junk",
        ]
    )
    assert [(i.vendor, i.vendor_type, i.is_outage) for i in flat] == [
        ("TESLA", "vehicle", True),
        ("ZAPTEC", "charger", False),
    ]
    assert flat[0].scopes == ("a",)
    grouped = parse_integrations({"charger": [{"vendor": "EASEE", "status": "outage"}], "x": 1})
    assert [(i.vendor, i.vendor_type, i.is_outage) for i in grouped] == [("EASEE", "charger", True)]
    assert [i.vendor for i in parse_integrations({"data": [{"vendor": "KIA"}]})] == ["KIA"]
    assert parse_integrations(None) == []


async def test_client_sends_language_and_filters(client: EnodeClient, fake: FakeEnode) -> None:
    fake.on("GET", "/interventions", reply([OPENAPI_EXAMPLE]))
    fake.on("GET", f"/interventions/{OPENAPI_EXAMPLE['id']}", reply(OPENAPI_EXAMPLE))
    listed = await client.list_interventions(
        language="nb-NO", vendor="AUDI", vendor_type=AssetType.VEHICLE
    )
    assert [i.id for i in listed] == [OPENAPI_EXAMPLE["id"]]
    await client.list_interventions()
    one = await client.get_intervention(OPENAPI_EXAMPLE["id"], language="de-DE")
    assert one.brand == "Audi"
    queries = [r.query for r in fake.api_requests()]
    assert queries == [
        {"language": "nb-NO", "vendor": "AUDI", "vendorType": "vehicle"},
        {},
        {"language": "de-DE"},
    ]


async def test_client_refuses_non_list_answers(client: EnodeClient, fake: FakeEnode) -> None:
    fake.on("GET", "/interventions", reply("a string"))
    fake.on("GET", "/integrations", reply(42))
    with pytest.raises(EnodeInvalidResponseError):
        await client.list_interventions()
    with pytest.raises(EnodeInvalidResponseError):
        await client.list_integrations()


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """The demo scenario on a frozen clock."""
    emu = Emulator(EmulatorConfig(scenario="demo", seed=1, speed=0))
    await emu.start(host="127.0.0.1", port=0)
    yield emu
    await emu.stop()


@pytest.fixture
def emulator_client(session: aiohttp.ClientSession, emulator: Emulator) -> EnodeClient:
    """A client of the emulator."""
    return EnodeClient(
        session,
        emulator.client_id,
        emulator.client_secret,
        api_url=emulator.base_url,
        token_url=emulator.token_url,
        retry_base_delay=0,
    )


async def test_against_the_emulator(emulator_client: EnodeClient, emulator: Emulator) -> None:
    listed = await emulator_client.list_interventions(language="sv-SE")
    by_id = {item.id: item for item in listed}
    assert by_id[VIRTUAL_KEY].resolution.title == "Lägg till en virtuell nyckel i din Tesla"
    assert by_id[RECONNECT].resolvable_by_link
    english = await emulator_client.get_intervention(VIRTUAL_KEY)
    assert english.resolution.title == "Add a virtual key to your Tesla"
    assert DEFAULT_INTERVENTION_LANGUAGE == "en-US"
    with pytest.raises(EnodeNotFoundError):
        await emulator_client.get_intervention("unknown")
    # Capabilities carry the ids the emulator set; the client keeps them.
    emulator.set_interventions(VEHICLE, [VIRTUAL_KEY])
    vehicle = await emulator_client.get_asset(AssetType.VEHICLE, VEHICLE)
    assert vehicle.capabilities["startCharging"].intervention_ids == (VIRTUAL_KEY,)
    assert not vehicle.is_capable("startCharging")
    emulator.set_vendor_status("ZAPTEC", "OUTAGE")
    integrations = await emulator_client.list_integrations()
    zaptec = [i for i in integrations if i.vendor == "ZAPTEC"]
    assert [(i.vendor_type, i.is_outage, i.display_name) for i in zaptec] == [
        ("charger", True, "Zaptec")
    ]
    assert not any(i.is_outage for i in integrations if i.vendor != "ZAPTEC")
