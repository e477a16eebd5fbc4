"""Build seeds/esco_skills.csv and seeds/esco_skill_groups.csv: ESCO's skills of entry-level work.

Run at build time only; the engine reads the CSV files (never the ESCO folder):

    .venv/bin/python seeds/scripts/build_esco_skills.py [ESCO_DIR]

ESCO_DIR defaults to ../shared/esco relative to the repository root.

What is kept: every skill that ESCO marks essential for an occupation of ISCO major group 5, 7, 8 or 9
(the entry-level work of the social economy), plus every skill that seeds/skills.csv links by URI, with
its English preferred label, its English alternative labels and its skill groups. A skill whose URI a
Dutch vocabulary entry carries is linked to that entry (``vocabulary_id``), so the engine reads its
English labels as more ways to write the Dutch skill. The groups file holds the Dutch label of every
skill group used, for explanations.

Source and licence: ESCO v1.1.1 skills and occupation-skill relations, v1.2.0 occupations, European
Commission, free reuse with acknowledgement: "This service uses the ESCO classification of the European
Commission." Changes made: selection of entry-level skills and the link to the Dutch vocabulary.
Deterministic: the same files give the same CSV files.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ESCO = REPO_ROOT.parent / "shared" / "esco"
SKILLS_OUT = REPO_ROOT / "seeds" / "esco_skills.csv"
GROUPS_OUT = REPO_ROOT / "seeds" / "esco_skill_groups.csv"
VOCABULARY = REPO_ROOT / "seeds" / "skills.csv"
MAJOR_GROUPS = ("5", "7", "8", "9")
SKILL_HEADER = ["esco_uri", "label_en", "alt_labels_en", "skill_type", "groups", "vocabulary_id"]
GROUP_HEADER = ["group_uri", "label_nl", "skills"]
MIN_SKILLS = 4000


def split(joined: str) -> list[str]:
    """Return the non-empty, distinct parts of a pipe-joined ESCO list, in order."""
    return list(dict.fromkeys(part.strip() for part in joined.split("|") if part.strip()))


def build(esco: Path) -> tuple[list[list[str]], list[list[str]]]:
    """Return the rows of both files."""
    with VOCABULARY.open(newline="", encoding="utf-8") as handle:
        linked = {row["esco_uri"]: row["id"] for row in csv.DictReader(handle) if row["esco_uri"]}
    with (esco / "occupations_nl.csv").open(newline="", encoding="utf-8") as handle:
        entry_level = {
            row["conceptUri"] for row in csv.DictReader(handle) if row["iscoGroup"].startswith(MAJOR_GROUPS)
        }
    wanted = set(linked)
    with (esco / "occupation_skill_relations.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["relationType"] == "essential" and row["occupationUri"] in entry_level:
                wanted.add(row["skillUri"])
    rows: list[list[str]] = []
    group_labels: dict[str, str] = {}
    group_sizes: dict[str, int] = {}
    with (esco / "skills_en.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            uri = row["conceptUri"]
            if uri not in wanted:
                continue
            label = row["preferredLabel"].strip()
            alts = [a for a in split(row["altLabels"]) if a != label]
            groups = split(row["skillGroupUris"])
            labels = split(row["skillGroupLabels_nl"])
            for k, group in enumerate(groups):
                if len(labels) == len(groups):
                    group_labels.setdefault(group, labels[k])
                group_sizes[group] = group_sizes.get(group, 0) + 1
            rows.append([uri, label, "|".join(alts), row["skillType"], "|".join(groups), linked.get(uri, "")])
    with (esco / "skill_groups_nl.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["conceptUri"] in group_sizes and row["preferredLabel"].strip():
                group_labels[row["conceptUri"]] = row["preferredLabel"].strip()
    rows.sort(key=lambda r: r[0])
    group_rows = [[g, group_labels.get(g, ""), str(group_sizes[g])] for g in sorted(group_sizes)]
    problems = []
    if len(rows) < MIN_SKILLS:
        problems.append(f"only {len(rows)} skills (expected at least {MIN_SKILLS})")
    missing = sorted(set(linked) - {r[0] for r in rows})
    if missing:
        problems.append(f"vocabulary URIs unknown to ESCO: {', '.join(missing)}")
    if problems:
        raise SystemExit("\n".join(problems))
    return rows, group_rows


def main(argv: list[str] | None = None) -> int:
    """Write both CSV files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("esco", nargs="?", type=Path, default=DEFAULT_ESCO)
    args = parser.parse_args(argv)
    rows, group_rows = build(args.esco)
    for path, header, body in ((SKILLS_OUT, SKILL_HEADER, rows), (GROUPS_OUT, GROUP_HEADER, group_rows)):
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(body)
        print(f"{path.relative_to(REPO_ROOT)}: {len(body)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
