"""Build seeds/occupations.csv: the Dutch ESCO occupations of ISCO major groups 4 to 9, which feed
the autocomplete of stage-place titles.

Run at build time only; the product reads the CSV:

    .venv/bin/python seeds/scripts/build_occupations.py [ESCO_DIR]

ESCO_DIR defaults to ../shared/esco relative to the repository root.

Source and licence: ESCO v1.2.0 occupations (Dutch labels), European Commission, free reuse with
acknowledgement: "This service uses the ESCO classification of the European Commission."
Changes made: only occupations whose ISCO group starts with 4-9 are kept, description and code
columns dropped, alternative labels kept as in the source (pipe-separated, de-duplicated).
Also writes seeds/occupation_skills.csv: per kept occupation, its essential skills (ESCO v1.1.1
occupation-skill relations) that the skill vocabulary knows (seeds/esco_skills.csv or an ``esco_uri`` of
seeds/skills.csv), in the source's order, as the pipe-separated last part of their URIs
(``http://data.europa.eu/esco/skill/<id>``): a participant who names the occupation as a skill
("beenhouwer") is read as having done those tasks (matching/concepts.py).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ESCO = REPO_ROOT.parent / "shared" / "esco"
DEFAULT_OUT = REPO_ROOT / "seeds" / "occupations.csv"
HEADER = ["esco_uri", "label_nl", "alt_labels_nl", "isco_group"]
SKILLS_OUT = REPO_ROOT / "seeds" / "occupation_skills.csv"
SKILL_PREFIX = "http://data.europa.eu/esco/skill/"
KEPT_MAJOR_GROUPS = ("4", "5", "6", "7", "8", "9")


def known_skills() -> set[str]:
    """Return the ESCO skill URIs the skill vocabulary knows (seeds/esco_skills.csv, seeds/skills.csv)."""
    known: set[str] = set()
    for name in ("esco_skills.csv", "skills.csv"):
        with (REPO_ROOT / "seeds" / name).open(newline="", encoding="utf-8") as handle:
            known.update(row["esco_uri"].strip() for row in csv.DictReader(handle) if row["esco_uri"].strip())
    return known


def essential_skills(esco_dir: Path, known: set[str]) -> dict[str, list[str]]:
    """Return occupation URI -> its essential skills that the vocabulary knows, in the source's order."""
    out: dict[str, list[str]] = {}
    with (esco_dir / "occupation_skill_relations.csv").open(newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            skill = record["skillUri"].strip()
            if record["relationType"].strip() == "essential" and skill in known:
                skills = out.setdefault(record["occupationUri"].strip(), [])
                if skill not in skills:
                    skills.append(skill)
    return out


def read_occupations(esco_dir: Path) -> list[dict[str, str]]:
    """Return the kept occupations as output rows, sorted by Dutch label."""
    rows = []
    with (esco_dir / "occupations_nl.csv").open(newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            isco = record["iscoGroup"].strip()
            if not isco.startswith(KEPT_MAJOR_GROUPS):
                continue
            label = record["preferredLabel"].strip()
            alts = [a.strip() for a in record["altLabels"].split("|") if a.strip() and a.strip() != label]
            rows.append(
                {
                    "esco_uri": record["conceptUri"].strip(),
                    "label_nl": label,
                    "alt_labels_nl": "|".join(dict.fromkeys(alts)),
                    "isco_group": isco,
                }
            )
    rows.sort(key=lambda r: (r["label_nl"].casefold(), r["esco_uri"]))
    return rows


def main(argv: list[str] | None = None) -> int:
    """Build and write the occupations file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("esco_dir", nargs="?", type=Path, default=DEFAULT_ESCO)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    rows = read_occupations(args.esco_dir)
    uris = [r["esco_uri"] for r in rows]
    assert len(set(uris)) == len(uris), "duplicate ESCO URIs"
    assert any(r["label_nl"] == "productiemedewerker" for r in rows), "productiemedewerker missing"
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    essentials = essential_skills(args.esco_dir, known_skills())
    with SKILLS_OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["esco_uri", "essential_skills"])
        for uri in uris:
            skills = essentials.get(uri, [])
            assert all(s.startswith(SKILL_PREFIX) for s in skills)
            if skills:
                writer.writerow([uri, "|".join(s.removeprefix(SKILL_PREFIX) for s in skills)])
    by_major: dict[str, int] = {}
    for r in rows:
        by_major[r["isco_group"][0]] = by_major.get(r["isco_group"][0], 0) + 1
    print(
        f"wrote {len(rows)} occupations to {args.out}; by ISCO major group: {dict(sorted(by_major.items()))}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
