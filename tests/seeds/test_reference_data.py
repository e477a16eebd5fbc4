"""The committed reference data in seeds/ parses and holds what the product relies on.

Plain CSV checks: no Flask, no database, no build-time packages.
"""

from __future__ import annotations

import csv
import math
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

SKILL_GROUPS = {
    "logistiek",
    "schoonmaak",
    "keuken-horeca",
    "winkel-retail",
    "productie-assemblage",
    "groenonderhoud",
    "bouw",
    "wasserij",
    "zorg-ondersteuning",
    "recyclage",
    "techniek",
    "transversaal",
    "administratie",
    "transport",
    "taal-digitaal",
}


def read_csv(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (SEEDS / name).open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def normalise(term: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", term) if not unicodedata.combining(c))
    return " ".join(plain.casefold().replace("-", " ").split())


@pytest.fixture(scope="module")
def postal_codes() -> dict[str, dict[str, str]]:
    header, rows = read_csv("postal_codes.csv")
    assert header == ["postal_code", "municipality", "main_municipality", "province", "region", "lat", "lon"]
    by_code = {row["postal_code"]: row for row in rows}
    assert len(by_code) == len(rows), "postal codes are not unique"
    return by_code


@pytest.fixture(scope="module")
def skills() -> list[dict[str, str]]:
    header, rows = read_csv("skills.csv")
    assert header == ["id", "label_nl", "variants_nl", "label_en", "variants_en", "esco_uri", "group"]
    return rows


def test_postal_codes_are_four_digit_text_and_cover_belgium(postal_codes):
    assert len(postal_codes) > 1100
    assert all(len(code) == 4 and code.isdigit() for code in postal_codes)
    assert {row["region"] for row in postal_codes.values()} == {"Vlaanderen", "Brussel", "Wallonië"}


def test_every_postal_code_has_coordinates_inside_belgium(postal_codes):
    for code, row in postal_codes.items():
        lat, lon = float(row["lat"]), float(row["lon"])
        assert 49.4 <= lat <= 51.6 and 2.5 <= lon <= 6.5, code


def test_every_postal_code_names_its_municipality_and_province(postal_codes):
    for code, row in postal_codes.items():
        assert row["municipality"] and row["main_municipality"] and row["province"], code


def test_9000_is_gent_in_oost_vlaanderen(postal_codes):
    gent = postal_codes["9000"]
    assert gent["municipality"] == "Gent"
    assert gent["province"] == "Oost-Vlaanderen"
    assert gent["region"] == "Vlaanderen"


def test_brussels_postal_codes_are_in_the_brussels_region(postal_codes):
    assert postal_codes["1000"]["region"] == "Brussel"
    assert postal_codes["1000"]["province"] == "Brussels Hoofdstedelijk Gewest"


def test_gent_antwerpen_distance_is_about_50_km(postal_codes):
    gent, antwerpen = postal_codes["9000"], postal_codes["2000"]
    distance = haversine_km(
        float(gent["lat"]), float(gent["lon"]), float(antwerpen["lat"]), float(antwerpen["lon"])
    )
    assert 45 <= distance <= 60


def test_skill_vocabulary_has_at_least_350_entries_with_unique_ids(skills):
    assert len(skills) >= 350
    ids = [row["id"] for row in skills]
    assert len(set(ids)) == len(ids)
    assert all(i.isascii() and i == i.lower() and " " not in i for i in ids)


def test_no_dutch_term_is_shared_between_skill_entries(skills):
    owners: dict[str, set[str]] = defaultdict(set)
    for row in skills:
        for term in [row["label_nl"], *row["variants_nl"].split("|")]:
            if term.strip():
                owners[normalise(term)].add(row["id"])
    shared = {term: ids for term, ids in owners.items() if len(ids) > 1}
    assert shared == {}


def test_every_skill_group_has_at_least_12_entries(skills):
    per_group = Counter(row["group"] for row in skills)
    assert set(per_group) == SKILL_GROUPS
    assert min(per_group.values()) >= 12


def test_skills_carry_variants_and_esco_uris(skills):
    variants = [len([v for v in row["variants_nl"].split("|") if v]) for row in skills]
    assert sum(variants) / len(variants) >= 3
    with_uri = [row for row in skills if row["esco_uri"]]
    assert len(with_uri) >= len(skills) / 2
    assert all(row["esco_uri"].startswith("http://data.europa.eu/esco/skill/") for row in with_uri)


def test_vocabulary_holds_the_skills_coaches_ask_for_most(skills):
    labels = {row["label_nl"] for row in skills}
    for label in ("heftruck rijden", "poetsen", "stiptheid", "werken in team", "Nederlands spreken"):
        assert label in labels
    forklift = next(row for row in skills if row["id"] == "heftruck-rijden")
    assert "heftruk" in forklift["variants_nl"].split("|")


def test_occupations_parse_and_include_productiemedewerker():
    header, rows = read_csv("occupations.csv")
    assert header == ["esco_uri", "label_nl", "alt_labels_nl", "isco_group"]
    assert len(rows) > 1000
    assert len({row["esco_uri"] for row in rows}) == len(rows)
    assert all(row["isco_group"][:1] in {"4", "5", "6", "7", "8", "9"} for row in rows)
    assert "productiemedewerker" in {row["label_nl"] for row in rows}


def test_occupation_skills_name_kept_occupations_and_skills_the_vocabulary_knows():
    header, rows = read_csv("occupation_skills.csv")
    assert header == ["esco_uri", "essential_skills"]
    occupations = {row["esco_uri"] for row in read_csv("occupations.csv")[1]}
    known = {row["esco_uri"] for row in read_csv("esco_skills.csv")[1]}
    known |= {row["esco_uri"] for row in read_csv("skills.csv")[1] if row["esco_uri"]}
    assert len(rows) > 1000
    assert len({row["esco_uri"] for row in rows}) == len(rows)
    for row in rows:
        assert row["esco_uri"] in occupations
        skills = row["essential_skills"].split("|")
        assert skills and len(set(skills)) == len(skills)
        assert all(f"http://data.europa.eu/esco/skill/{skill}" in known for skill in skills)
