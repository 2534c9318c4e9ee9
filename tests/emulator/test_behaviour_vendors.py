"""The admin hook that lists a vendor without its types in GET /integrations (issue 25)."""

from __future__ import annotations

from enode_emulator import Emulator

from .conftest import Api


async def test_untyped_vendor_is_listed_once_without_a_type(api: Api, emulator: Emulator) -> None:
    """`untyped: true` leaves out the vendor's `assetTypes` (vendor-wide); false undoes it."""
    typed = [i for i in await api.get("/integrations") if i["vendor"] == "TESLA"]
    assert len(typed) == 1
    assert len(typed[0]["assetTypes"]) > 1
    status, _, _ = await api.call(
        "PUT", "/_emulator/vendors/TESLA/status", json={"status": "OUTAGE", "untyped": True}
    )
    assert status == 204
    [tesla] = [i for i in await api.get("/integrations") if i["vendor"] == "TESLA"]
    assert "assetTypes" not in tesla
    assert (tesla["status"], tesla["linkingStatus"]) == ("OUTAGE", "OUTAGE")
    status, _, _ = await api.call(
        "PUT", "/_emulator/vendors/TESLA/status", json={"status": "OUTAGE", "untyped": "yes"}
    )
    assert status == 400
    emulator.set_vendor_status("TESLA", "READY")
    again = [i for i in await api.get("/integrations") if i["vendor"] == "TESLA"]
    assert again == typed
