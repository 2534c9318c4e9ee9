"""Home Assistant's home as an Enode Location: create it once, keep it up to date after.

Used by the home location step of the config and options flows; the entry remembers the id
(`CONF_HOME_LOCATION_ID`), which the set_tariff action uses as its default Location.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from homeassistant.util.location import distance

from .api import EnodeNotFoundError
from .const import LOGGER

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .api import EnodeClient, Location

# Enode refuses a new Location within 200 m of another one of the user (SMART.md 6.2): one that
# close is taken to be home already and is updated instead.
SAME_PLACE_M = 200.0


@dataclass(frozen=True, slots=True)
class HomeZone:
    """What the Enode Location is made of: Home Assistant's name, coordinates and time zone."""

    name: str
    latitude: float
    longitude: float
    time_zone: str

    @classmethod
    def from_hass(cls, hass: HomeAssistant) -> Self:
        """The home zone as configured in Home Assistant's general settings."""
        config = hass.config
        # Enode requires a name; Home Assistant allows an empty one.
        name = config.location_name.strip() or "Home"
        return cls(name, config.latitude, config.longitude, config.time_zone)

    def placeholders(self) -> dict[str, str]:
        """Placeholders of the step description: name, coordinates, time zone."""
        return {
            "name": self.name,
            "latitude": f"{self.latitude:.5f}",
            "longitude": f"{self.longitude:.5f}",
            "time_zone": self.time_zone,
        }

    def is_near(self, location: Location) -> bool:
        """True when the Location lies within Enode's minimum distance of home."""
        if location.latitude is None or location.longitude is None:
            return False
        metres = distance(self.latitude, self.longitude, location.latitude, location.longitude)
        return metres is not None and metres < SAME_PLACE_M


async def async_sync_home_location(
    client: EnodeClient, user_id: str, home: HomeZone, location_id: str | None
) -> Location:
    """Update the remembered Location, else adopt one already at home, else create one.

    Never creates a duplicate: Enode would refuse a second Location at home anyway.
    """

    async def update(target: str) -> Location:
        return await client.update_location(
            target,
            name=home.name,
            latitude=home.latitude,
            longitude=home.longitude,
            timezone_name=home.time_zone,
        )

    if location_id:
        try:
            return await update(location_id)
        except EnodeNotFoundError:
            LOGGER.debug("The home Location %s was deleted at Enode; making it anew", location_id)
    for location in await client.list_locations(user_id):
        if home.is_near(location):
            return await update(location.id)
    return await client.create_location(
        user_id,
        name=home.name,
        latitude=home.latitude,
        longitude=home.longitude,
        timezone_name=home.time_zone,
    )
