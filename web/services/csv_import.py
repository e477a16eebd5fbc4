"""Import a caseload from a CSV file: every row is checked first, errors name the line and the reason, and
nothing is imported unless every row is valid (all-or-nothing).

Columns (header row required, separator ``,`` or ``;``, UTF-8):
first_name*, last_name*, email, phone, postal_code*, max_distance_km, hours_per_week*, dutch_level, driving_licence,
preferred_sectors (codes separated by ``|``), skills (``name:level`` separated by ``|``), phase, goals,
occupations (occupation wishes separated by ``|``, at most 5 of at most 120 characters; the column may also be
called ``beroepen``).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, func, select

from web.models import DUTCH_LEVELS, PHASES, SECTORS, Participant, User
from web.services.caseload import visible_coach_ids
from web.services.geo import lookup_postal_code
from web.services.matching import refresh_matches_for_participants
from web.services.occupations import MAX_WISH_LENGTH, MAX_WISHES, clean_wishes
from web.services.profiles import create_participant

COLUMNS = (
    "first_name", "last_name", "email", "phone", "postal_code", "max_distance_km", "hours_per_week", "dutch_level",
    "driving_licence", "preferred_sectors", "skills", "phase", "goals", "occupations",
)
#: Other names a column may carry in the header (the Dutch one a coach may type), mapped to the column.
COLUMN_ALIASES = {"beroepen": "occupations", "beroepswensen": "occupations"}
REQUIRED_COLUMNS = ("first_name", "last_name", "postal_code", "hours_per_week")
MAX_ROWS = 1000
TRUE_VALUES = {"ja", "j", "yes", "y", "1", "true", "waar", "x"}
FALSE_VALUES = {"nee", "n", "no", "0", "false", "onwaar", ""}


@dataclass
class ImportResult:
    """What an import did: the participants it created, or the errors (line, message) that stopped it."""

    created: list[Participant] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


def _int(value: str, low: int, high: int) -> int | None:
    try:
        number = int(value)
    except ValueError:
        return None
    return number if low <= number <= high else None


def _parse_row(row: dict, seen_emails: set[str]) -> tuple[dict, list, list[str]]:
    errors: list[str] = []
    data: dict = {}
    for col in ("first_name", "last_name"):
        value = (row.get(col) or "").strip()
        if not value:
            errors.append(str(_l("%(column)s is verplicht", column=col)))
        elif len(value) > 100 or any(ch in value for ch in "<>"):
            errors.append(str(_l("%(column)s is ongeldig", column=col)))
        data[col] = value
    email = (row.get("email") or "").strip().lower()
    if email:
        if "@" not in email or len(email) > 254:
            errors.append(str(_l("e-mailadres %(value)s is ongeldig", value=email)))
        elif email in seen_emails:
            errors.append(str(_l("e-mailadres %(value)s komt twee keer voor", value=email)))
        seen_emails.add(email)
    data["email"] = email or None
    data["phone"] = (row.get("phone") or "").strip()[:40] or None
    postal = (row.get("postal_code") or "").strip()
    if not postal:
        errors.append(str(_l("%(column)s is verplicht", column="postal_code")))
    elif lookup_postal_code(postal) is None:
        errors.append(str(_l("postcode %(value)s bestaat niet", value=postal)))
    data["postal_code"] = postal
    distance = (row.get("max_distance_km") or "").strip()
    data["max_distance_km"] = 25
    if distance:
        data["max_distance_km"] = _int(distance, 0, 300)
        if data["max_distance_km"] is None:
            errors.append(str(_l("max_distance_km moet een getal van 0 tot 300 zijn")))
    hours = (row.get("hours_per_week") or "").strip()
    data["hours_per_week"] = _int(hours, 1, 50) if hours else None
    if data["hours_per_week"] is None:
        errors.append(str(_l("hours_per_week moet een getal van 1 tot 50 zijn")))
    dutch = (row.get("dutch_level") or "").strip().upper()
    if dutch and dutch not in DUTCH_LEVELS:
        errors.append(str(_l("dutch_level %(value)s is geen niveau van A1 tot C2", value=dutch)))
    data["dutch_level"] = dutch or None
    licence = (row.get("driving_licence") or "").strip().lower()
    if licence not in TRUE_VALUES | FALSE_VALUES:
        errors.append(str(_l("driving_licence moet ja of nee zijn")))
    data["driving_licence"] = licence in TRUE_VALUES
    sectors = [s.strip().lower() for s in (row.get("preferred_sectors") or "").split("|") if s.strip()]
    unknown = [s for s in sectors if s not in SECTORS]
    if unknown:
        errors.append(str(_l("onbekende sector %(value)s", value=", ".join(unknown))))
    data["preferred_sectors"] = sectors or None
    skills = []
    for part in (row.get("skills") or "").split("|"):
        part = part.strip()
        if not part:
            continue
        name, _, level = part.rpartition(":")
        if not name:
            name, level = part, "2"
        parsed = _int(level.strip(), 1, 4)
        if parsed is None or len(name.strip()) > 200:
            errors.append(str(_l("vaardigheid %(value)s: gebruik naam:niveau met niveau 1 tot 4", value=part)))
        else:
            skills.append((name.strip(), parsed))
    phase = (row.get("phase") or "voortraject").strip().lower()
    if phase not in PHASES:
        errors.append(str(_l("fase %(value)s is onbekend", value=phase)))
    data["phase"] = phase
    data["goals"] = (row.get("goals") or "").strip() or None
    wishes = clean_wishes((row.get("occupations") or "").split("|"))
    if len(wishes) > MAX_WISHES:
        errors.append(str(_l("occupations: hoogstens %(max)s beroepswensen, gescheiden door |", max=MAX_WISHES)))
    for wish in wishes:
        if len(wish) > MAX_WISH_LENGTH:
            errors.append(str(_l("beroepswens %(value)s…: hoogstens %(max)s tekens", value=wish[:30], max=MAX_WISH_LENGTH)))
        elif any(ch in wish for ch in "<>"):
            errors.append(str(_l("beroepswens %(value)s: gebruik geen < of >", value=wish)))
    data["occupations"] = wishes or None
    return data, skills, errors


def _rows(reader):
    """The reader's rows with their line numbers; stops after more rows than an import may hold."""
    for count, row in enumerate(reader):
        yield reader.line_num, row
        if count > MAX_ROWS + 1:
            return


def import_caseload(*, session: Session, coach: User, content: bytes) -> ImportResult:
    """Check every row; when all are valid, add them all to the coach's caseload, else add none."""
    result = ImportResult()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append((0, str(_l("Het bestand is geen UTF-8-tekst."))))
        return result
    if "\x00" in text:
        result.errors.append((0, str(_l("Het bestand bevat een ongeldig teken (NUL). Bewaar het opnieuw als CSV."))))
        return result
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [COLUMN_ALIASES.get(h.strip().lower(), h.strip()) for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c and c not in COLUMNS]
    twice = sorted({c for c in header if c and header.count(c) > 1})
    if twice:
        result.errors.append((1, str(_l("kolom %(value)s komt twee keer voor", value=", ".join(twice)))))
        return result
    if missing or unknown:
        if missing:
            result.errors.append((1, str(_l("verplichte kolommen ontbreken: %(value)s", value=", ".join(missing)))))
        if unknown:
            result.errors.append((1, str(_l("onbekende kolommen: %(value)s", value=", ".join(unknown)))))
        return result
    seen: set[str] = set()
    parsed = []
    try:
        rows = list(_rows(reader))
    except csv.Error:
        # a field over the csv module's limit (128 KiB) or a broken quote
        result.errors.append((reader.line_num, str(_l("deze regel is geen geldige CSV (een veld is te lang of een aanhalingsteken ontbreekt)"))))
        return result
    for line, row in rows:
        if None in row:
            result.errors.append((line, str(_l("te veel velden op deze regel"))))
            continue
        if not any((v or "").strip() for v in row.values()):
            continue
        data, skills, errors = _parse_row(row, seen)
        result.errors.extend((line, e) for e in errors)
        parsed.append((line, data, skills))
        if len(parsed) > MAX_ROWS:
            result.errors.append((line, str(_l("meer dan %(value)s rijen", value=MAX_ROWS))))
            break
    if not parsed and not result.errors:
        result.errors.append((2, str(_l("het bestand bevat geen deelnemers"))))
    emails = [d["email"] for _, d, _ in parsed if d["email"]]
    if emails:
        # only the caseload this coach may see: another team's participants must not show through this check
        taken = set(session.exec(select(func.lower(Participant.email)).where(
            func.lower(Participant.email).in_(emails), Participant.coach_id.in_(visible_coach_ids(session=session, coach=coach)))).all())
        for line, data, _ in parsed:
            if data["email"] in taken:
                result.errors.append((line, str(_l("e-mailadres %(value)s bestaat al", value=data["email"]))))
    if result.errors:
        result.errors.sort()
        return result
    for _, data, skills in parsed:
        phase = data.pop("phase")
        result.created.append(create_participant(session=session, coach=coach, data=data, skills=skills, phase=phase, source="import"))
    session.flush()
    refresh_matches_for_participants(session=session, participant_ids=[p.id for p in result.created])
    return result
