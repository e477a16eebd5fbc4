"""Command-line interface: ``python -m matching rank|assign`` reads JSON files and prints JSON.

Every record is validated before anything is computed; on bad input the command prints one
message naming the file, the record and the field to stderr, exits with status 2 and prints
nothing on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from matching.engine import Engine
from matching.errors import InputError
from matching.geo import Geo, load_geo
from matching.models import DUTCH_LEVELS, SKILL_LEVELS, Participant, SkillClaim, SkillRequirement, Vacancy
from matching.occupations import MAX_OCCUPATION_TEXT
from matching.vocabulary import load_vocabulary

EXIT_BAD_INPUT = 2


class BadInput(Exception):
    """Input that cannot be used, with a message naming where the problem is."""


def _record_error(source: str, index: int, record: Any, field: str, message: str) -> BadInput:
    record_id = record.get("id") if isinstance(record, dict) else None
    where = f"{source}: record {index}"
    if record_id is not None:
        where += f" (id {record_id!r})"
    return BadInput(f"{where}: field '{field}': {message}")


def _load_list(path: Path, source: str) -> list[Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"{source}: cannot read {path}: {exc.strerror or exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(
            f"{source}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    if not isinstance(data, list):
        raise BadInput(f"{source}: expected a JSON list of objects, got {type(data).__name__}")
    return data


class _Reader:
    """Typed field access on one JSON record that raises BadInput naming the record and field."""

    def __init__(self, source: str, index: int, record: Any) -> None:
        if not isinstance(record, dict):
            raise _record_error(source, index, record, "(record)", "must be a JSON object")
        self.source, self.index, self.record = source, index, record

    def error(self, field: str, message: str) -> BadInput:
        return _record_error(self.source, self.index, self.record, field, message)

    def get(self, field: str, *, required: bool = True, default: Any = None) -> Any:
        if field not in self.record:
            if required:
                raise self.error(field, "missing")
            return default
        return self.record[field]

    def id(self) -> int | str:
        value = self.get("id")
        if isinstance(value, bool) or not isinstance(value, int | str) or value == "":
            raise self.error("id", f"must be a non-empty string or an integer, got {value!r}")
        return value

    def text(self, field: str, value: Any = None, *, required: bool = True) -> str:
        value = self.get(field, required=required, default="") if value is None else value
        if not isinstance(value, str):
            raise self.error(field, f"must be a string, got {value!r}")
        return value

    def optional_number(self, field: str, *, positive: bool = True) -> float | None:
        """Return the number in a field, or None when the field holds null."""
        if self.get(field) is None:
            return None
        return self.number(field, positive=positive)

    def number(self, field: str, *, positive: bool = True) -> float:
        value = self.get(field)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or value < 0
            or (positive and value == 0)
        ):
            kind = "a positive number" if positive else "a non-negative number"
            raise self.error(field, f"must be {kind}, got {value!r}")
        return value

    def boolean(self, field: str, *, required: bool = True, default: bool = False) -> bool:
        value = self.get(field, required=required, default=default)
        if not isinstance(value, bool):
            raise self.error(field, f"must be true or false, got {value!r}")
        return value

    def level(self, field: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value not in SKILL_LEVELS:
            raise self.error(field, f"must be an integer 1–4, got {value!r}")
        return value

    def dutch(self, field: str = "dutch_level") -> str:
        value = self.get(field)
        if not isinstance(value, str) or value.strip().upper() not in DUTCH_LEVELS:
            raise self.error(field, f"must be one of {', '.join(DUTCH_LEVELS)}, got {value!r}")
        return value.strip().upper()

    def postal_code(self, geo: Geo) -> str:
        value = self.get("postal_code")
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or value.strip() not in geo:
            raise self.error("postal_code", f"unknown postal code {value!r}")
        return value.strip()

    def occupations(self) -> tuple[str, ...]:
        value = self.get("occupations", required=False, default=[])
        if not isinstance(value, list):
            raise self.error("occupations", f"must be a list of strings, got {type(value).__name__}")
        for k, wish in enumerate(value):
            self._occupation_text(f"occupations[{k}]", wish)
        return tuple(value)

    def occupation(self) -> str | None:
        value = self.get("occupation", required=False, default=None)
        return None if value is None else self._occupation_text("occupation", value)

    def _occupation_text(self, field: str, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(field, f"must be a non-empty string, got {type(value).__name__}")
        if len(value) > MAX_OCCUPATION_TEXT:
            raise self.error(field, f"must be at most {MAX_OCCUPATION_TEXT} characters, got {len(value)}")
        return value

    def skills(self) -> list[tuple[int, dict[str, Any]]]:
        value = self.get("skills")
        if not isinstance(value, list):
            raise self.error("skills", f"must be a list of objects, got {type(value).__name__}")
        out = []
        for k, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.error(f"skills[{k}]", "must be an object")
            name = item.get("name")
            if not isinstance(name, str) or not name.strip():
                raise self.error(f"skills[{k}].name", f"must be a non-empty string, got {name!r}")
            tax = item.get("taxonomy_id")
            if tax is not None and not isinstance(tax, str):
                raise self.error(f"skills[{k}].taxonomy_id", f"must be a string, got {tax!r}")
            out.append((k, item))
        return out

    def sectors(self) -> tuple[str, ...]:
        value = self.get("sectors", required=False, default=[])
        if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
            raise self.error("sectors", "must be a list of strings")
        return tuple(value)


def parse_participants(data: list[Any], geo: Geo, source: str = "participants") -> list[Participant]:
    """Validate and convert JSON participant records."""
    out: list[Participant] = []
    seen: set[Any] = set()
    for index, record in enumerate(data):
        r = _Reader(source, index, record)
        pid = r.id()
        if pid in seen:
            raise r.error("id", "duplicate id")
        seen.add(pid)
        claims = tuple(
            SkillClaim(
                item["name"], r.level(f"skills[{k}].level", item.get("level", 2)), item.get("taxonomy_id")
            )
            for k, item in r.skills()
        )
        out.append(
            Participant(
                id=pid,
                skills=claims,
                postal_code=r.postal_code(geo),
                max_distance_km=r.optional_number("max_distance_km", positive=False),
                hours_per_week=r.number("hours_per_week"),
                dutch_level=r.dutch(),
                driving_licence=r.boolean("driving_licence"),
                sectors=r.sectors(),
                occupations=r.occupations(),
            )
        )
    return out


def parse_vacancies(data: list[Any], geo: Geo, source: str = "vacancies") -> list[Vacancy]:
    """Validate and convert JSON vacancy records."""
    out: list[Vacancy] = []
    seen: set[Any] = set()
    for index, record in enumerate(data):
        r = _Reader(source, index, record)
        vid = r.id()
        if vid in seen:
            raise r.error("id", "duplicate id")
        seen.add(vid)
        requirements = []
        for k, item in r.skills():
            required = item.get("required", True)
            if not isinstance(required, bool):
                raise r.error(f"skills[{k}].required", f"must be true or false, got {required!r}")
            requirements.append(
                SkillRequirement(
                    item["name"],
                    required,
                    r.level(f"skills[{k}].min_level", item.get("min_level", 1)),
                    item.get("taxonomy_id"),
                )
            )
        places = r.get("places", required=False, default=1)
        if isinstance(places, bool) or not isinstance(places, int) or places < 0:
            raise r.error("places", f"must be a non-negative integer, got {places!r}")
        filled = r.get("filled", required=False, default=0)
        if isinstance(filled, bool) or not isinstance(filled, int) or filled < 0:
            raise r.error("filled", f"must be a non-negative integer, got {filled!r}")
        out.append(
            Vacancy(
                id=vid,
                title=r.text("title"),
                sector=r.text("sector"),
                skills=tuple(requirements),
                postal_code=r.postal_code(geo),
                hours_per_week=r.number("hours_per_week"),
                dutch_level=r.dutch(),
                driving_licence_required=r.boolean("driving_licence_required"),
                places=places,
                filled=filled,
                is_open=r.boolean("is_open", required=False, default=True),
                occupation=r.occupation(),
            )
        )
    return out


def parse_declined(data: list[Any], source: str = "declined") -> frozenset[tuple[Any, Any]]:
    """Validate a JSON list of {participant_id, vacancy_id} objects or [participant_id, vacancy_id] pairs."""
    pairs = set()
    for index, item in enumerate(data):
        if isinstance(item, dict) and "participant_id" in item and "vacancy_id" in item:
            pairs.add((item["participant_id"], item["vacancy_id"]))
        elif isinstance(item, list) and len(item) == 2:
            pairs.add((item[0], item[1]))
        else:
            raise _record_error(source, index, item, "(record)", "expected {participant_id, vacancy_id}")
    return frozenset(pairs)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for ``python -m matching``."""
    parser = argparse.ArgumentParser(prog="python -m matching", description="Stagebrug matching engine.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("rank", "print the best places per participant, with explanations"),
        ("assign", "print a capacity-aware assignment of participants to places"),
    ):
        cmd = sub.add_parser(name, help=help_text)
        cmd.add_argument("--participants", required=True, type=Path, help="JSON list of participants")
        cmd.add_argument("--vacancies", required=True, type=Path, help="JSON list of vacancies")
        cmd.add_argument("--declined", type=Path, help="JSON list of declined {participant_id, vacancy_id}")
        cmd.add_argument(
            "--skills",
            type=Path,
            help="skills.csv (default: seeds/skills.csv joined with seeds/esco_skills.csv)",
        )
        cmd.add_argument(
            "--postal-codes", type=Path, help="postal_codes.csv (default: seeds/postal_codes.csv)"
        )
        if name == "rank":
            cmd.add_argument("--top", type=int, default=10, help="places per participant (default 10)")
    return parser


def run(argv: list[str] | None = None) -> dict[str, Any]:
    """Run a command and return its JSON-serialisable result; raise BadInput on bad input."""
    args = build_parser().parse_args(argv)
    if getattr(args, "top", 1) < 1:
        raise BadInput("--top: must be at least 1")
    try:
        geo = load_geo(args.postal_codes)
        vocabulary = load_vocabulary(args.skills)
    except (OSError, ValueError, KeyError) as exc:
        raise BadInput(f"reference data: cannot load: {exc}") from exc
    p_source, v_source = f"participants ({args.participants.name})", f"vacancies ({args.vacancies.name})"
    participants = parse_participants(_load_list(args.participants, p_source), geo, p_source)
    vacancies = parse_vacancies(_load_list(args.vacancies, v_source), geo, v_source)
    declined: frozenset[tuple[Any, Any]] = frozenset()
    if args.declined:
        d_source = f"declined ({args.declined.name})"
        declined = parse_declined(_load_list(args.declined, d_source), d_source)
    engine = Engine(vocabulary=vocabulary, geo=geo)
    try:
        if args.command == "rank":
            ranked = engine.rank_all(participants, vacancies, top=args.top, declined=declined)
            return {
                str(pid): [
                    {"vacancy_id": r.vacancy_id, "score": r.score, "explanation": r.explanation}
                    for r in results
                ]
                for pid, results in ranked["by_participant"].items()
            }
        result = engine.assign(participants, vacancies, declined=declined)
        return result.to_dict()
    except InputError as exc:
        raise BadInput(str(exc)) from exc


def main(argv: list[str] | None = None) -> int:
    """Entry point: print the result as JSON, or a message and exit status 2 on bad input."""
    try:
        result = run(argv)
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0
