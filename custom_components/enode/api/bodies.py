"""Request bodies of the control endpoints, checked before anything is sent.

Schedule bodies live in `schedules` (``charge_schedule_body``, ``temperature_schedule_body``,
``rule_body``).
"""

from __future__ import annotations

from typing import Any

# The setpoints each permanent-hold mode requires (2024-10-01 `HVACSetPermanentHoldPayload`:
# a union discriminated by `mode`; HEAT and COOL need their setpoint, AUTO both, OFF none).
_HOLD_SETPOINTS: dict[str, tuple[str, ...]] = {
    "HEAT": ("heatSetpoint",),
    "COOL": ("coolSetpoint",),
    "AUTO": ("heatSetpoint", "coolSetpoint"),
    "OFF": (),
}


def permanent_hold_body(
    mode: str, *, heat_setpoint: float | None = None, cool_setpoint: float | None = None
) -> dict[str, Any]:
    """Build ``POST /hvacs/{id}/permanent-hold``: the mode and exactly its setpoints.

    A unit may report ``HEAT`` with a null setpoint (the spec allows null there), but a hold
    needs one: the body is refused here instead of Enode answering 400.

    Raises:
        ValueError: The mode is not HEAT, COOL, AUTO or OFF, or a setpoint it needs is None.
    """
    mode = str(mode)
    needed = _HOLD_SETPOINTS.get(mode)
    if needed is None:
        raise ValueError(f"A permanent hold needs mode HEAT, COOL, AUTO or OFF, not {mode!r}")
    values = {"heatSetpoint": heat_setpoint, "coolSetpoint": cool_setpoint}
    missing = [key for key in needed if values[key] is None]
    if missing:
        raise ValueError(f"A {mode} permanent hold needs {' and '.join(missing)}")
    body: dict[str, Any] = {"mode": mode}
    body.update({key: values[key] for key in needed})
    return body
