"""The shipped blueprints: copied into the user's blueprints folder, never over a user's copy."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .const import DOMAIN, LOGGER

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

# blueprints/<automation|script>/<file>.yaml inside the integration, as in Home Assistant core.
SHIPPED = Path(__file__).parent / "blueprints"
# Home Assistant's blueprints folder in the configuration directory (blueprint.const).
BLUEPRINT_FOLDER = "blueprints"


def install_blueprints(source: Path, target: Path) -> list[Path]:
    """Copy each shipped blueprint to <target>/<domain>/enode/ when no file is there yet.

    A file that is there already is left alone whatever it holds: the same text needs nothing,
    and a different one may be the user's edit. Returns the files written.
    """
    written: list[Path] = []
    for shipped in sorted(source.glob("*/*.yaml")):
        destination = target / shipped.parent.name / DOMAIN / shipped.name
        content = shipped.read_bytes()
        if destination.exists():
            if destination.read_bytes() != content:
                LOGGER.debug("Kept the blueprint %s: it differs from the shipped one", destination)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(content)
        written.append(destination)
    return written


async def async_install_blueprints(hass: HomeAssistant) -> None:
    """Install the shipped blueprints (in the executor); a failure never stops setup."""
    target = Path(hass.config.path(BLUEPRINT_FOLDER))
    try:
        written = await hass.async_add_executor_job(install_blueprints, SHIPPED, target)
    except OSError as err:
        # A read-only or full configuration folder: the README's import link still works.
        LOGGER.warning("Could not copy the Enode blueprints into %s: %s", target, err)
        return
    for path in written:
        LOGGER.info("Added the blueprint %s", path.relative_to(target))
