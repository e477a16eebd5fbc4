"""Belgian postal codes: lookup of municipality and coordinates, and distances, all offline."""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from web.config import REPO_ROOT


@dataclass(frozen=True)
class PostalArea:
    postal_code: str
    municipality: str
    province: str
    region: str
    lat: float
    lon: float


@lru_cache(maxsize=4)
def load_postal_areas(path: str | None = None) -> dict[str, PostalArea]:
    """Read the postal-code table from seeds/ once."""
    file = Path(path) if path else REPO_ROOT / "seeds" / "postal_codes.csv"
    areas: dict[str, PostalArea] = {}
    with file.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            areas[row["postal_code"]] = PostalArea(
                row["postal_code"], row["municipality"], row["province"], row["region"], float(row["lat"]), float(row["lon"])
            )
    return areas


def lookup_postal_code(code: str | None) -> PostalArea | None:
    """Return the area of a Belgian postal code, or None when it does not exist."""
    if not code:
        return None
    return load_postal_areas().get(code.strip())


def distance_km(code_a: str, code_b: str) -> float | None:
    """Great-circle distance between two postal codes in km, or None if one is unknown."""
    a, b = lookup_postal_code(code_a), lookup_postal_code(code_b)
    if a is None or b is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))
