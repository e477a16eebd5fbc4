"""Distances between postal codes are real: each postal code has its own coordinate (GeoNames' postal-code table),
not its municipality's, so the codes of one city are kilometres apart.

The expected distances come from the localities' published coordinates (degrees and minutes, as on their
Wikipedia pages), not from seeds/postal_codes.csv; the engine's own geometry (matching.geo) measures them.
"""

from __future__ import annotations

import itertools

import pytest

from matching.geo import default_geo

# (code, code, expected km between the places named, as the crow flies)
KNOWN_DISTANCES = [
    ("9000", "9042", 11.0),  # Gent (51°03′N 3°43′E) - Desteldonk, Mendonk, Sint-Kruis-Winkel in the port (about 51°08′N 3°48′E)
    ("9000", "9052", 5.5),  # Gent - Zwijnaarde (51°00′N 3°43′E)
    ("9000", "9030", 3.5),  # Gent - Mariakerke (51°04′N 3°41′E)
    ("2000", "2660", 6.5),  # Antwerpen (51°13′N 4°24′E) - Hoboken (51°10′N 4°21′E)
    ("1000", "1020", 3.5),  # Brussel (50°51′N 4°21′E) - Laken (50°53′N 4°21′E)
    ("9000", "2000", 50.5),  # Gent - Antwerpen
    ("1000", "3500", 70.5),  # Brussel - Hasselt (50°56′N 5°20′E)
]


@pytest.mark.parametrize(("first", "second", "expected"), KNOWN_DISTANCES)
def test_known_distances_hold_within_2_km(first, second, expected):
    assert default_geo().distance_km(first, second) == pytest.approx(expected, abs=2.0)


def test_gent_postal_codes_are_not_one_point():
    gent = ["9000", "9030", "9031", "9032", "9040", "9041", "9042", "9050", "9051", "9052"]
    geo = default_geo()
    for first, second in itertools.combinations(gent, 2):
        assert geo.distance_km(first, second) > 1.0, (first, second)


def test_the_port_of_gent_is_not_near_the_city_centre():
    # the example: a place in 9042 read "vlak bij je huis" for a participant in 9000
    assert default_geo().distance_km("9000", "9042") > 8
