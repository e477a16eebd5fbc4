"""Build tests/matching/data/esco_evaluation.json: a held-out evaluation of the matching engine from ESCO.

Run at build time only (the suite never reads the ESCO folder):

    .venv/bin/python seeds/scripts/build_esco_evaluation.py [ESCO_DIR]

ESCO_DIR defaults to ../shared/esco relative to the repository root.

Places are entry-level ESCO occupations (ISCO major groups 5, 7, 8, 9) with at least six essential
skills: the title is the Dutch preferred label, the skills are the English preferred labels of the
first eight essential skills (six required, two nice to have), in ESCO's order of skill URIs.

Two sets of cases, each labelled with its occupation's place, written the way people describe
themselves rather than the way ESCO names the skill:

* ``skills``: four of the place's skills, each written with one of ESCO's alternative labels when
  there is one (else the preferred label), a quarter of them with one typo, plus one or two stray
  skills taken from other places;
* ``wishes``: an occupation wish (a Dutch alternative label of the occupation, else its preferred
  label; a third of them misspelt) in ``occupations`` and two of the place's skills, as above.

Every record uses the same postal code, hours and Dutch level, so only the skill texts (and wishes)
decide the ranking. Deterministic: the same ESCO files give the same JSON.

``--dev`` writes a dev split for tuning (``esco_dev.json``): the same recipe with another seed, on the
occupations that are not places of the held-out set, so tuning never looks at the held-out cases.

Source and licence: ESCO v1.2.0 occupations (Dutch labels) and v1.1.1 skills and relations (English
labels), European Commission, free reuse with acknowledgement: "This service uses the ESCO
classification of the European Commission." Changes made: selection, sampling and the typos above.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ESCO = REPO_ROOT.parent / "shared" / "esco"
DEFAULT_OUT = REPO_ROOT / "tests" / "matching" / "data" / "esco_evaluation.json"
MAJOR_GROUPS = ("5", "7", "8", "9")
PLACES = 400
CASES = 300
SEED = 13
DEV_OUT = DEFAULT_OUT.with_name("esco_dev.json")
DEV_SEED = 1013


def typo(rng: random.Random, text: str) -> str:
    """Return text with one deletion, insertion, substitution or swap inside a word."""
    if len(text) < 5:
        return text
    i = rng.randrange(1, len(text) - 2)
    if text[i] == " " or text[i + 1] == " ":
        return text
    letter = rng.choice("aeiounrstlk")
    op = rng.randrange(4)
    if op == 0:
        return text[:i] + text[i + 1 :]
    if op == 1:
        return text[:i] + letter + text[i:]
    if op == 2:
        return text[:i] + letter + text[i + 1 :]
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def read(esco: Path) -> tuple[list[dict], dict[str, dict]]:
    """Return the eligible occupations (with their essential skill URIs) and the skills by URI."""
    skills: dict[str, dict] = {}
    with (esco / "skills_en.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            alts = [a.strip() for a in row["altLabels"].split("|") if a.strip()]
            skills[row["conceptUri"]] = {"label": row["preferredLabel"].strip(), "alts": alts}
    essential: dict[str, list[str]] = {}
    with (esco / "occupation_skill_relations.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["relationType"] == "essential" and row["skillUri"] in skills:
                essential.setdefault(row["occupationUri"], []).append(row["skillUri"])
    occupations = []
    with (esco / "occupations_nl.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            uris = sorted(set(essential.get(row["conceptUri"], ())))
            if row["iscoGroup"].startswith(MAJOR_GROUPS) and len(uris) >= 6 and row["preferredLabel"].strip():
                label = row["preferredLabel"].strip()
                alts = [a.strip() for a in row["altLabels"].split("|") if a.strip() and a.strip() != label]
                occupations.append(
                    {"uri": row["conceptUri"], "label": label, "alts": alts, "skills": uris[:8]}
                )
    occupations.sort(key=lambda o: o["uri"])
    return occupations, skills


def written(rng: random.Random, skill: dict, typo_share: float = 0.25) -> str:
    """Return a skill the way a participant might write it."""
    text = rng.choice(skill["alts"]) if skill["alts"] else skill["label"]
    return typo(rng, text) if rng.random() < typo_share else text


def build(esco: Path, seed: int = SEED, exclude: frozenset[str] = frozenset()) -> dict:
    """Return the evaluation data set (occupations in ``exclude`` are left out of the pool)."""
    rng = random.Random(seed)
    occupations, skills = read(esco)
    occupations = [o for o in occupations if o["uri"] not in exclude]
    chosen = sorted(rng.sample(occupations, min(PLACES, len(occupations))), key=lambda o: o["uri"])
    vacancies = []
    for k, occupation in enumerate(chosen):
        vacancies.append(
            {
                "id": f"o{k:03d}",
                "title": occupation["label"],
                "occupation": occupation["uri"],
                "sector": "",
                "skills": [
                    {"name": skills[uri]["label"], "required": n < 6, "min_level": 1}
                    for n, uri in enumerate(occupation["skills"])
                ],
                "postal_code": "9000",
                "hours_per_week": 30,
                "dutch_level": "A2",
                "driving_licence_required": False,
            }
        )

    def participant(case_id: str, names: list[str], wishes: list[str] | None = None) -> dict:
        record = {
            "id": case_id,
            "skills": [{"name": name, "level": rng.choice([2, 3])} for name in names],
            "postal_code": "9000",
            "max_distance_km": None,
            "hours_per_week": 38,
            "dutch_level": "B2",
            "driving_licence": True,
        }
        if wishes is not None:
            record["occupations"] = wishes
        return record

    sets: dict[str, list[dict]] = {"skills": [], "wishes": []}
    for n in range(CASES):
        k = rng.randrange(len(chosen))
        own = chosen[k]["skills"]
        names = [written(rng, skills[uri]) for uri in rng.sample(own, 4)]
        for _ in range(rng.choice([1, 2])):
            other = chosen[rng.randrange(len(chosen))]
            if other is not chosen[k]:
                names.append(skills[rng.choice(other["skills"])]["label"])
        rng.shuffle(names)
        sets["skills"].append(
            {"id": f"s{n:03d}", "expected": f"o{k:03d}", "participant": participant(f"s{n:03d}", names)}
        )
    for n in range(CASES):
        k = rng.randrange(len(chosen))
        occupation = chosen[k]
        wish = rng.choice(occupation["alts"]) if occupation["alts"] else occupation["label"]
        if rng.random() < 1 / 3:
            wish = typo(rng, wish)
        names = [written(rng, skills[uri]) for uri in rng.sample(occupation["skills"], 2)]
        sets["wishes"].append(
            {
                "id": f"w{n:03d}",
                "expected": f"o{k:03d}",
                "participant": participant(f"w{n:03d}", names, [wish]),
            }
        )
    return {
        "description": (
            "Held-out evaluation built from ESCO by seeds/scripts/build_esco_evaluation.py "
            "(This service uses the ESCO classification of the European Commission; CC BY 4.0)."
        ),
        "vacancies": vacancies,
        "skills": sets["skills"],
        "wishes": sets["wishes"],
    }


def main(argv: list[str] | None = None) -> int:
    """Write the evaluation JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("esco", nargs="?", type=Path, default=DEFAULT_ESCO)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--dev",
        action="store_true",
        help="write the dev split instead (tests/matching/data/esco_dev.json): another seed, and only "
        "occupations that are not places of the held-out set, for tuning",
    )
    args = parser.parse_args(argv)
    if args.dev:
        held_out = json.loads(DEFAULT_OUT.read_text(encoding="utf-8"))
        exclude = frozenset(v["occupation"] for v in held_out["vacancies"])
        out = DEV_OUT if args.out == DEFAULT_OUT else args.out
        data = build(args.esco, DEV_SEED, exclude)
        data["description"] = data["description"].replace("Held-out evaluation", "Dev split (for tuning)")
    else:
        out, data = args.out, build(args.esco)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{out}: {len(data['vacancies'])} places, {len(data['skills'])} + {len(data['wishes'])} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
