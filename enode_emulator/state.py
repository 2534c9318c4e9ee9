"""The store of users, sites and assets, and every change that emits events."""

from __future__ import annotations

from collections.abc import Callable
import copy
from datetime import datetime
import uuid

from .assets import attach, build_hem_system, detach
from .catalog import HEM_VENDORS, AssetType
from .clock import SimClock
from .events import EventBus
from .models import JSON, Asset, Site, User, changed_fields, flatten
from .problems import ProblemError

_HEM_MEMBERS: tuple[AssetType, ...] = ("battery", "inverter", "meter")


class Store:
    """All users, sites and assets of the emulated client."""

    def __init__(self, clock: SimClock, bus: EventBus) -> None:
        """Initialise an empty store."""
        self.clock = clock
        self.bus = bus
        self.users: dict[str, User] = {}
        self.sites: dict[str, Site] = {}
        self.assets: dict[str, Asset] = {}
        self.removal_hooks: list[Callable[[Asset], None]] = []
        self._seq = 0

    def next_seq(self) -> int:
        """Return the next creation sequence number (list order: higher = newer)."""
        self._seq += 1
        return self._seq

    # Users and sites

    def ensure_user(self, user_id: str) -> User:
        """Return a user, creating it on first use."""
        user = self.users.get(user_id)
        if user is None:
            user = User(id=user_id, created_at=self.clock.now(), seq=self.next_seq())
            self.users[user_id] = user
        return user

    def get_user(self, user_id: str) -> User:
        """Return a user or raise 404."""
        user = self.users.get(user_id)
        if user is None:
            raise ProblemError(404, f"User {user_id} not found", "Entity Not Found")
        return user

    def add_site(
        self,
        user_id: str,
        *,
        site_id: str | None = None,
        name: str = "Home",
        latitude: float = 59.9139,
        longitude: float = 10.7522,
        timezone: str = "Europe/Oslo",
        created_at: datetime | None = None,
        base_load_kw: float = 0.4,
    ) -> Site:
        """Create a site (an Enode Location) for a user."""
        site = Site(
            id=site_id or str(uuid.uuid4()),
            user_id=user_id,
            name=name,
            latitude=latitude,
            longitude=longitude,
            timezone=timezone,
            created_at=created_at or self.clock.now(),
            seq=self.next_seq(),
            base_load_kw=base_load_kw,
        )
        self.sites[site.id] = site
        return site

    def home_site(self, user_id: str) -> Site:
        """Return the user's first site, creating a default one if needed."""
        for site in self.sites.values():
            if site.user_id == user_id and not site.deleted:
                return site
        return self.add_site(user_id)

    def delete_user(self, user_id: str) -> None:
        """Delete a user with all its assets and sites."""
        self.get_user(user_id)
        for asset in [item for item in self.assets.values() if item.user_id == user_id]:
            # Removing the last member of a HEM system already removed the system itself.
            if asset.id in self.assets:
                self.remove_asset(asset.id)
        for site_id in [key for key, site in self.sites.items() if site.user_id == user_id]:
            del self.sites[site_id]
        del self.users[user_id]

    # Assets

    def assets_of(self, kind: AssetType, user_id: str | None = None) -> list[Asset]:
        """Return assets of a type, optionally of one user."""
        return [
            asset
            for asset in self.assets.values()
            if asset.kind == kind and (user_id is None or asset.user_id == user_id)
        ]

    def get_asset(self, kind: AssetType, asset_id: str) -> Asset:
        """Return an asset of a type or raise 404."""
        asset = self.assets.get(asset_id)
        if asset is None or asset.kind != kind:
            raise ProblemError(404, f"No {kind} with id {asset_id}", "Entity Not Found")
        return asset

    def find_asset(self, asset_id: str) -> Asset:
        """Return an asset of any type or raise 404."""
        asset = self.assets.get(asset_id)
        if asset is None:
            raise ProblemError(404, f"No asset with id {asset_id}", "Entity Not Found")
        return asset

    def add_asset(self, asset: Asset) -> Asset:
        """Store a new asset, record its vendor on the user and emit discovered/updated."""
        user = self.ensure_user(asset.user_id)
        self.assets[asset.id] = asset
        if asset.kind != "hem-system":
            link = {"vendor": asset.vendor, "vendorType": asset.kind, "isValid": True}
            existing = [
                item
                for item in user.linked_vendors
                if (item["vendor"], item["vendorType"]) == (asset.vendor, asset.kind)
            ]
            if existing:
                existing[0]["isValid"] = True
            else:
                user.linked_vendors.append(link)
            user.scopes = sorted(set(user.scopes) | set(asset.data["scopes"]))
        self.bus.asset_event(asset, "discovered")
        self.bus.asset_event(asset, "updated", sorted(flatten(asset.data)))
        return asset

    def remove_asset(self, asset_id: str) -> Asset:
        """Delete an asset (and an emptied HEM system) and emit deleted events."""
        asset = self.find_asset(asset_id)
        del self.assets[asset_id]
        for hook in self.removal_hooks:
            hook(asset)
        self.bus.asset_event(asset, "deleted")
        hem_id = asset.data.get("hemSystemId")
        if hem_id and hem_id in self.assets:
            hem = self.assets[hem_id]
            before = copy.deepcopy(hem.data)
            detach(hem, asset)
            if any(hem.data[key] for key in ("batteryIds", "inverterIds", "meterIds")):
                self.commit(hem, before)
            else:
                self.remove_asset(hem.id)
        if asset.kind == "hem-system":
            for member_id in (
                *asset.data["batteryIds"],
                *asset.data["inverterIds"],
                *asset.data["meterIds"],
            ):
                member = self.assets.get(member_id)
                if member is not None:
                    before = copy.deepcopy(member.data)
                    member.data["hemSystemId"] = None
                    self.commit(member, before)
        return asset

    def commit(self, asset: Asset, before: JSON) -> list[str]:
        """Emit `user:<type>:updated` if the asset changed since `before`."""
        fields = changed_fields(before, asset.data)
        if fields:
            self.bus.asset_event(asset, "updated", fields)
        return fields

    def group_hem(self, site: Site, vendor: str, hem_id: str | None = None) -> Asset | None:
        """Group a HEM vendor's batteries, inverters and meters at a site into one system."""
        if vendor not in HEM_VENDORS:
            return None
        members = [
            asset
            for asset in self.assets.values()
            if asset.kind in _HEM_MEMBERS and asset.site_id == site.id and asset.vendor == vendor
        ]
        if not members:
            return None
        hem = next(
            (
                asset
                for asset in self.assets.values()
                if asset.kind == "hem-system"
                and asset.site_id == site.id
                and asset.vendor == vendor
            ),
            None,
        )
        befores = {member.id: copy.deepcopy(member.data) for member in members}
        if hem is None:
            brand = str(members[0].data["information"]["brand"])
            hem = build_hem_system(
                user_id=site.user_id,
                vendor=vendor,
                brand=brand,
                site=site,
                now=self.clock.now(),
                seq=self.next_seq(),
                members=members,
                hem_id=hem_id,
            )
            self.add_asset(hem)
        else:
            before = copy.deepcopy(hem.data)
            for member in members:
                attach(hem, member)
            self.commit(hem, before)
        for member in members:
            self.commit(member, befores[member.id])
        return hem

    def disconnect_vendor(self, user_id: str, vendor: str, vendor_type: str | None) -> None:
        """Remove a vendor's assets (optionally of one type) from a user."""
        user = self.get_user(user_id)
        matches = [
            item
            for item in user.linked_vendors
            if item["vendor"] == vendor and vendor_type in (None, item["vendorType"])
        ]
        if not matches:
            raise ProblemError(404, f"Vendor {vendor} is not linked for user {user_id}")
        for asset in list(self.assets.values()):
            if (
                asset.user_id == user_id
                and asset.kind != "hem-system"
                and asset.vendor == vendor
                and vendor_type in (None, asset.kind)
                and asset.id in self.assets
            ):
                self.remove_asset(asset.id)
        user.linked_vendors = [item for item in user.linked_vendors if item not in matches]

    def invalidate_vendor(self, user_id: str, vendor: str) -> None:
        """Invalidate a vendor's credentials and emit `user:credentials:invalidated`."""
        user = self.get_user(user_id)
        matches = [item for item in user.linked_vendors if item["vendor"] == vendor]
        if not matches:
            raise ProblemError(404, f"Vendor {vendor} is not linked for user {user_id}")
        for item in matches:
            item["isValid"] = False
        self.bus.emit("user:credentials:invalidated", user_id, {"vendor": vendor})
