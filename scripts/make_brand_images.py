"""Draw the integration's brand images (icon and logo) as PNG files without extra packages.

Run: .venv/bin/python scripts/make_brand_images.py
The design is a rounded teal square with a white lightning bolt: an energy API, not Enode's own
trademark (we do not ship third-party logos).
"""

from pathlib import Path
import struct
import zlib

BRAND_DIR = Path(__file__).resolve().parent.parent / "custom_components" / "enode" / "brand"
TEAL = (0, 122, 112, 255)
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)
# Lightning bolt polygon in unit coordinates (0..1).
BOLT = [(0.58, 0.10), (0.26, 0.55), (0.47, 0.55), (0.40, 0.90), (0.74, 0.42), (0.53, 0.42)]


def _inside_polygon(x: float, y: float, polygon: list[tuple[float, float]]) -> bool:
    inside = False
    j = len(polygon) - 1
    for i, (xi, yi) in enumerate(polygon):
        xj, yj = polygon[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _inside_rounded_square(x: float, y: float, radius: float) -> bool:
    cx = min(max(x, radius), 1 - radius)
    cy = min(max(y, radius), 1 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def _pixel(x: float, y: float) -> tuple[int, int, int, int]:
    if not _inside_rounded_square(x, y, 0.18):
        return CLEAR
    return WHITE if _inside_polygon(x, y, BOLT) else TEAL


def _png(size: int) -> bytes:
    rows = bytearray()
    for row in range(size):
        rows.append(0)  # filter: none
        for col in range(size):
            rows.extend(_pixel((col + 0.5) / size, (row + 0.5) / size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    """Write icon.png, icon@2x.png, logo.png and logo@2x.png."""
    BRAND_DIR.mkdir(parents=True, exist_ok=True)
    for name, size in (("icon", 256), ("logo", 256)):
        (BRAND_DIR / f"{name}.png").write_bytes(_png(size))
        (BRAND_DIR / f"{name}@2x.png").write_bytes(_png(size * 2))


if __name__ == "__main__":
    main()
