"""The mashumaro models keep the hand-written parsers' leniency (issue 27)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from aioenode import (
    Battery,
    EnodeClient,
    Hvac,
    HvacMode,
    Vehicle,
)
from aioenode.parsing import EnodeModel
from tests.api.conftest import FakeEnode, reply

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _models() -> list[type[EnodeModel]]:
    found: list[type[EnodeModel]] = []
    pending = list(EnodeModel.__subclasses__())
    while pending:
        model = pending.pop()
        found.append(model)
        pending.extend(model.__subclasses__())
    return sorted(set(found), key=lambda model: model.__name__)


@pytest.mark.parametrize("model", _models(), ids=lambda model: model.__name__)
@given(data=st.dictionaries(st.text(max_size=20), JSON, max_size=6), keys=st.data())
@settings(max_examples=8, deadline=None)
def test_any_object_parses(model: type[EnodeModel], data: dict[str, Any], keys: Any) -> None:
    """Unknown keys, wrong types, nulls: `from_dict` never raises, for every model."""
    known = [f.metadata.get("alias") for f in model.__dataclass_fields__.values()]
    for key in keys.draw(st.lists(st.sampled_from([k for k in known if k] or ["id"]))):
        data[key] = keys.draw(JSON)
    parsed = model.from_dict(data)
    assert isinstance(parsed, model)


def test_wrong_types_become_none_and_unknown_enums_stay_strings() -> None:
    vehicle = Vehicle.from_dict(
        {
            "id": "v",
            "information": ["not", "an", "object"],
            "chargeState": {"batteryLevel": "80", "isCharging": 1, "powerDeliveryState": "NEW"},
            "capabilities": {"charge": {"isCapable": True}, "odd": 5},
            "scopes": ["a", 3, None, "b"],
            "lastSeen": "yesterday",
            "extra": {"ignored": True},
        }
    )
    assert vehicle.information is None
    assert vehicle.charge_state is not None
    assert vehicle.charge_state.battery_level is None
    assert vehicle.charge_state.is_charging is None
    assert vehicle.charge_state.power_delivery_state == "NEW"
    assert set(vehicle.capabilities) == {"charge"}
    assert vehicle.scopes == ("a", "b")
    assert vehicle.last_seen is None
    assert vehicle.raw["extra"] == {"ignored": True}
    hvac = Hvac.from_dict(
        {"thermostatState": {"mode": "heat"}, "capabilities": {"capableModes": None}}
    )
    assert hvac.thermostat_state is not None
    assert hvac.thermostat_state.mode is HvacMode.HEAT
    assert hvac.capable_modes is None
    assert Battery.from_dict({}).id == ""


async def test_one_bad_asset_never_drops_the_list(client: EnodeClient, fake: FakeEnode) -> None:
    good = {"id": "b1", "chargeState": {"batteryLevel": 50}}
    bad = {"id": 7, "chargeState": "full", "config": [], "capabilities": None, "location": 3}
    fake.on(
        "GET",
        "/users/u/batteries",
        reply({"data": [good, bad, "not an object"], "pagination": {"after": None}}),
    )
    batteries = await client.list_batteries("u")
    assert [b.id for b in batteries] == ["b1", ""]
    assert batteries[0].charge_state is not None
    assert batteries[0].charge_state.battery_level == 50
    assert batteries[1].charge_state is None
