"""Postal-code coordinates (seeds/postal_codes.csv) and vectorised great-circle distances."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np

from matching.vocabulary import SEEDS_DIR

EARTH_RADIUS_KM = 6371.0088


class Geo:
    """Coordinates per postal code, with lookups that return radians arrays."""

    def __init__(self, coordinates: Mapping[str, tuple[float, float]]) -> None:
        self.coordinates: dict[str, tuple[float, float]] = {
            str(code).strip(): (float(lat), float(lon)) for code, (lat, lon) in coordinates.items()
        }

    def __contains__(self, postal_code: object) -> bool:
        return str(postal_code).strip() in self.coordinates

    def radians(self, postal_codes: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Return latitude and longitude arrays in radians; raise KeyError naming an unknown code."""
        lat: list[float] = []
        lon: list[float] = []
        coordinates = self.coordinates
        for code in postal_codes:
            point = coordinates.get(str(code).strip())
            if point is None:
                raise KeyError(code)
            lat.append(point[0])
            lon.append(point[1])
        return np.radians(np.asarray(lat, dtype=np.float64)), np.radians(np.asarray(lon, dtype=np.float64))

    def distance_km(self, first: str, second: str) -> float:
        """Return the great-circle distance in km between two postal codes."""
        lat, lon = self.radians([first, second])
        return float(haversine_km(lat[:1], lon[:1], lat[1:], lon[1:])[0, 0])


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Return the matrix of great-circle distances (km) between two sets of points in radians."""
    lat1 = lat1[:, None]
    lon1 = lon1[:, None]
    dlat = lat2[None, :] - lat1
    dlon = lon2[None, :] - lon1
    a = np.sin(dlat * 0.5) ** 2 + np.cos(lat1) * np.cos(lat2)[None, :] * np.sin(dlon * 0.5) ** 2
    return (2.0 * EARTH_RADIUS_KM) * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def load_geo(path: str | Path | None = None) -> Geo:
    """Load postal-code coordinates from a postal_codes.csv file (default: the repository's seeds/)."""
    path = Path(path) if path is not None else SEEDS_DIR / "postal_codes.csv"
    coordinates: dict[str, tuple[float, float]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"postal_code", "lat", "lon"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        for row in reader:
            if not row["lat"] or not row["lon"]:
                continue
            coordinates[row["postal_code"].strip()] = (float(row["lat"]), float(row["lon"]))
    return Geo(coordinates)


@lru_cache(maxsize=1)
def default_geo() -> Geo:
    """Return postal-code coordinates from seeds/postal_codes.csv, loaded on first use."""
    return load_geo()
