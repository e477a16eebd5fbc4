"""Stage places of an employer: drafts, publishing with checks, the status table, expiry, suggestions.

Every lookup goes through the owning employer, so a place of another organisation is simply not found.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case
from sqlmodel import Session, delete, func, select

from web.models import CostSheet, Employer, PlaceSkill, Proposal, Setting, SkillTerm, StagePlace, User, utcnow
from web.services import occupations
from web.services.audit import record_audit
from web.services.cost_sheets import copy_sheet, get_or_create_sheet
from web.services.occupations import occupation_uri

OPEN_PROPOSAL_STATES = ("proposed", "participant_agreed", "employer_interested", "intake_planned", "stage_agreed", "stage_running")

# action -> (states it may start from, state it leads to)
PLACE_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "publish": (frozenset({"draft", "paused", "expired"}), "published"),
    "renew": (frozenset({"published", "expired"}), "published"),
    "pause": (frozenset({"published"}), "paused"),
    "fill": (frozenset({"published", "paused"}), "filled"),
    "close": (frozenset({"draft", "published", "paused", "expired", "filled"}), "closed"),
}
EDITABLE_STATES = ("draft", "published", "paused", "expired")
PLACE_FIELDS = (
    "title", "description", "tasks", "sector", "postal_code", "hours_per_week", "schedule", "start_date", "duration_weeks", "places",
    "dutch_level", "driving_licence", "physical_demands", "occupation",
)


class PlaceError(Exception):
    """A refused place action; ``problems`` lists what the employer must fix."""

    def __init__(self, code: str, problems: list | None = None):
        super().__init__(code)
        self.code = code
        self.problems = problems or []


def allowed_actions(place: StagePlace) -> list[str]:
    """The status actions open to a place in its current status."""
    return [action for action, (sources, _target) in PLACE_TRANSITIONS.items() if place.status in sources]


# --- reading ------------------------------------------------------------------------------------


def get_place(*, session: Session, employer: Employer, place_id: int) -> StagePlace | None:
    """The place with this id if it belongs to the employer, else None."""
    place = session.get(StagePlace, place_id)
    if place is None or place.employer_id != employer.id:
        return None
    return place


def list_places(*, session: Session, employer: Employer) -> list[dict]:
    """The employer's places with their number of proposals (open and all), counted in one grouped query."""
    places = session.exec(
        select(StagePlace).where(StagePlace.employer_id == employer.id).order_by(StagePlace.updated_at.desc(), StagePlace.id.desc())
    ).all()
    counts = {
        place_id: (total, open_)
        for place_id, total, open_ in session.exec(
            select(
                Proposal.place_id,
                func.count(Proposal.id),
                func.sum(case((Proposal.state.in_(OPEN_PROPOSAL_STATES), 1), else_=0)),
            )
            .join(StagePlace, StagePlace.id == Proposal.place_id)
            .where(StagePlace.employer_id == employer.id)
            .group_by(Proposal.place_id)
        ).all()
    }
    return [
        {"place": p, "proposals": counts.get(p.id, (0, 0))[0], "open_proposals": int(counts.get(p.id, (0, 0))[1] or 0)} for p in places
    ]


def place_skills(*, session: Session, place: StagePlace) -> list[PlaceSkill]:
    return list(session.exec(select(PlaceSkill).where(PlaceSkill.place_id == place.id).order_by(PlaceSkill.position, PlaceSkill.id)).all())


PLACE_LIST_SORTS = ("updated_at", "title", "expires_at")


def places_statement(*, employer: Employer, status: str | None = None):
    """The employer's places (of one status) with their number of open proposals: one statement to page and sort in SQL."""
    open_counts = (
        select(Proposal.place_id.label("place_id"), func.count().label("n"))
        .join(StagePlace, StagePlace.id == Proposal.place_id)
        .where(StagePlace.employer_id == employer.id, Proposal.state.in_(OPEN_PROPOSAL_STATES))
        .group_by(Proposal.place_id).subquery()
    )
    stmt = (select(StagePlace, func.coalesce(open_counts.c.n, 0).label("open_proposals"))
            .outerjoin(open_counts, open_counts.c.place_id == StagePlace.id).where(StagePlace.employer_id == employer.id))
    if status:
        stmt = stmt.where(StagePlace.status == status)
    return stmt


def place_list_order(sort: str) -> dict:
    """How ``places_statement`` sorts: ``order_by`` columns per key, places without the value last either way, then the id."""
    key, descending = sort.removeprefix("-"), sort.startswith("-")
    columns = {"updated_at": [StagePlace.updated_at], "title": [func.lower(StagePlace.title)], "expires_at": [StagePlace.expires_at]}
    return {"order_by": columns, "leading": [StagePlace.expires_at.is_(None)] if key == "expires_at" else [],
            "tiebreak": [StagePlace.id.desc() if descending else StagePlace.id]}


def skills_of_places(*, session: Session, place_ids: list[int]) -> dict[int, list[PlaceSkill]]:
    """The skills of several places in one statement, in their order."""
    found: dict[int, list[PlaceSkill]] = {place_id: [] for place_id in place_ids}
    if place_ids:
        for skill in session.exec(select(PlaceSkill).where(PlaceSkill.place_id.in_(place_ids)).order_by(PlaceSkill.place_id, PlaceSkill.position, PlaceSkill.id)):
            found[skill.place_id].append(skill)
    return found


def sheets_of_places(*, session: Session, place_ids: list[int]) -> dict[int, CostSheet]:
    """The cost sheets of several places in one statement."""
    if not place_ids:
        return {}
    return {sheet.place_id: sheet for sheet in session.exec(select(CostSheet).where(CostSheet.place_id.in_(place_ids)))}


# --- writing ------------------------------------------------------------------------------------


def resolve_skill_term(*, session: Session, name: str) -> str | None:
    """The vocabulary id whose Dutch label or variant equals this name (case-insensitive), if any."""
    wanted = name.strip().casefold()
    if not wanted:
        return None
    for term in session.exec(select(SkillTerm).where(SkillTerm.active.is_(True))).all():
        if term.label_nl.casefold() == wanted or any(str(v).casefold() == wanted for v in term.variants_nl or ()):
            return term.id
    return None


def save_place(
    *, session: Session, employer: Employer, actor: User, values: dict, skills: list[dict], place: StagePlace | None = None
) -> StagePlace:
    """Create or update a place with its skills; a draft may be incomplete."""
    if place is not None and place.status not in EDITABLE_STATES:
        raise PlaceError("not_editable")
    creating = place is None
    if creating:
        place = StagePlace(employer_id=employer.id, title="", created_by_id=actor.id, status="draft")
    for name in PLACE_FIELDS:
        if name in values:
            setattr(place, name, values[name])
    place.title = (place.title or "").strip()
    place.occupation = " ".join((place.occupation or "").split()) or None
    # the occupation the employer chose, else the one the title names (typos tolerated), else none
    place.title_esco_uri = occupation_uri(place.occupation) or occupation_uri(place.title)
    place.places = place.places or 1
    extend_expiry_to_start(place)
    place.updated_at = utcnow()
    session.add(place)
    session.flush()
    session.exec(delete(PlaceSkill).where(PlaceSkill.place_id == place.id))
    seen: set[str] = set()
    for position, row in enumerate(r for r in skills if (r.get("name") or "").strip()):
        name = row["name"].strip()
        if name.casefold() in seen:
            continue
        seen.add(name.casefold())
        session.add(
            PlaceSkill(place_id=place.id, name=name, taxonomy_id=resolve_skill_term(session=session, name=name),
                       required=bool(row.get("required")), min_level=int(row.get("min_level") or 1), position=position)
        )
    if creating:
        get_or_create_sheet(session=session, place=place)
        record_audit(session=session, actor_id=actor.id, action="place.created", obj=place)
    session.flush()
    if place.status == "published":
        _rescore(session=session, place=place)
    return place


def _rescore(*, session: Session, place: StagePlace) -> None:
    """Score a place against the active participants in the same request, so no page shows stale or missing scores."""
    from web.services.matching import refresh_matches_for_place

    refresh_matches_for_place(session=session, place_id=place.id)


_LOAD = object()


def publish_problems(*, session: Session, place: StagePlace, has_skills: bool | None = None, sheet=_LOAD) -> list:
    """What is still missing before a place can be published (empty when complete).

    A list of places passes ``has_skills`` and ``sheet`` (None when it has none) it loaded for all of them at once.
    """
    problems = []
    if not place.title:
        problems.append(_l("Geef de stageplaats een titel."))
    if not place.description:
        problems.append(_l("Beschrijf de stageplaats."))
    if not place.tasks:
        problems.append(_l("Beschrijf de taken."))
    if not place.postal_code:
        problems.append(_l("Vul de postcode van de werkplek in."))
    if not place.hours_per_week:
        problems.append(_l("Vul het aantal uren per week in."))
    if not place.start_date:
        problems.append(_l("Kies een startdatum."))
    elif place.start_date < date.today():
        problems.append(_l("De startdatum ligt in het verleden. Kies een nieuwe startdatum."))
    if not place.duration_weeks:
        problems.append(_l("Vul de duur van de stage in weken in."))
    if has_skills is None:
        has_skills = bool(session.exec(select(func.count()).select_from(PlaceSkill).where(PlaceSkill.place_id == place.id)).one())
    if not has_skills:
        problems.append(_l("Voeg minstens één vaardigheid toe."))
    if sheet is _LOAD:
        sheet = session.exec(select(CostSheet).where(CostSheet.place_id == place.id)).first()
    if sheet is None or not sheet.mentor_name:
        problems.append(_l("Fiche: vul de naam van de mentor in."))
    if sheet is None or not sheet.mentor_hours_per_week:
        problems.append(_l("Fiche: hoeveel uur per week is de mentor beschikbaar?"))
    if sheet is None or not sheet.first_day_plan:
        problems.append(_l("Fiche: beschrijf het plan voor de eerste dag."))
    if sheet is None or not sheet.intention:
        problems.append(_l("Fiche: zeg wat je van plan bent na de stage."))
    if sheet is not None and sheet.wage_mode != "none" and sheet.wage_amount is None:
        problems.append(_l("Fiche: vul het bedrag van het doorgerekende loon in."))
    return problems


def place_expiry_days(*, session: Session) -> int:
    """Days a published place stays online: the admin setting, else the configured default."""
    setting = session.get(Setting, "place_expiry_days")
    try:
        days = int(setting.value) if setting is not None and setting.value is not None else None
    except (TypeError, ValueError):
        days = None
    return days if days and days > 0 else int(current_app.config.get("PLACE_EXPIRY_DAYS", 60))


def start_day_end(place: StagePlace) -> datetime | None:
    """The end of the place's start day in Brussels, as aware UTC (None without a start date)."""
    if place.start_date is None:
        return None
    from zoneinfo import ZoneInfo

    return datetime.combine(place.start_date, time(23, 59), tzinfo=ZoneInfo("Europe/Brussels")).astimezone(UTC)


def extend_expiry_to_start(place: StagePlace) -> bool:
    """Keep a published place online at least until its start date; True when its expiry moved."""
    end = start_day_end(place)
    if place.status != "published" or end is None or place.expires_at is None or place.expires_at >= end:
        return False
    place.expires_at = end
    return True


def change_place_status(*, session: Session, place: StagePlace, action: str, actor: User, now: datetime | None = None) -> StagePlace:
    """Publish, renew, pause, mark filled or close a place, as the status table allows."""
    if action not in PLACE_TRANSITIONS:
        raise PlaceError("unknown_action")
    sources, target = PLACE_TRANSITIONS[action]
    if place.status not in sources:
        raise PlaceError("not_allowed")
    now = now or utcnow()
    if target == "published":
        from web.services.vetting import publish_blockers

        problems = publish_problems(session=session, place=place) + publish_blockers(employer=session.get(Employer, place.employer_id), actor=actor)
        if problems:
            raise PlaceError("incomplete", problems)
        if place.published_at is None or place.status == "draft":
            place.published_at = now
        place.expires_at = now + timedelta(days=place_expiry_days(session=session))
        end = start_day_end(place)
        if end is not None and place.expires_at < end:  # never offline before the stage can start
            place.expires_at = end
    previous = place.status
    place.status = target
    place.updated_at = now
    session.add(place)
    record_audit(session=session, actor_id=actor.id, action=f"place.{action}", obj=place, detail={"from": previous, "to": target})
    session.flush()
    if target == "published":
        _rescore(session=session, place=place)
    return place


def duplicate_place(*, session: Session, place: StagePlace, actor: User) -> StagePlace:
    """Copy a place with its skills and sheet into a new draft."""
    copy = StagePlace(employer_id=place.employer_id, created_by_id=actor.id, status="draft", title=place.title)
    for name in PLACE_FIELDS:
        setattr(copy, name, getattr(place, name))
    copy.title_esco_uri = place.title_esco_uri
    if copy.start_date and copy.start_date < date.today():
        copy.start_date = None
    session.add(copy)
    session.flush()
    for skill in place_skills(session=session, place=place):
        session.add(PlaceSkill(place_id=copy.id, name=skill.name, taxonomy_id=skill.taxonomy_id, required=skill.required,
                               min_level=skill.min_level, position=skill.position))
    copy_sheet(session=session, source=place, target=copy)
    record_audit(session=session, actor_id=actor.id, action="place.duplicated", obj=copy, detail={"from": place.id})
    session.flush()
    return copy


def expire_places(session: Session, now: datetime | None = None) -> int:
    """Mark every published place whose expiry date has passed as expired; return how many (idempotent)."""
    now = now or utcnow()
    places = session.exec(select(StagePlace).where(StagePlace.status == "published", StagePlace.expires_at.is_not(None), StagePlace.expires_at <= now)).all()
    for place in places:
        place.status = "expired"
        place.updated_at = now
        session.add(place)
    session.flush()
    return len(places)


# --- suggestions for autocomplete -------------------------------------------------------------


def _rank(text: str, query: str) -> int | None:
    low = text.casefold()
    if low.startswith(query):
        return 0
    if f" {query}" in low or f"-{query}" in low:
        return 1
    if query in low:
        return 2
    return None


def suggest_occupations(query: str, limit: int = 12) -> list[str]:
    """Occupation titles matching what the employer typed, best first (labels and alternative labels, typos tolerated)."""
    return occupations.suggest_occupations(query, limit)


def suggest_skills(*, session: Session, query: str, limit: int = 12) -> list[str]:
    """Skill labels (and variants) from the vocabulary matching what the employer typed."""
    q = (query or "").strip().casefold()
    if len(q) < 2:
        return []
    scored: dict[str, int] = {}
    for term in session.exec(select(SkillTerm).where(SkillTerm.active.is_(True))).all():
        for text in (term.label_nl, *(str(v) for v in term.variants_nl or ())):
            rank = _rank(text, q)
            if rank is not None and (text not in scored or rank < scored[text]):
                scored[text] = rank
    return [text for text, _r in sorted(scored.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))[:limit]]


# --- the coaches' list of published places -------------------------------------------------------------

PUBLISHED_SORTS = ("titel", "werkgever", "sector", "postcode", "vrij", "afstand", "gepubliceerd")


def published_places_page(
    *, session: Session, wanted, text: str | None = None, sector: str | None = None, employer_id: int | None = None,
    availability: str | None = None, near: str | None = None,
):
    """One page of the published places of approved employers with their employer, free capacity and distance from a
    postal code.

    Filters: a piece of title, tasks or employer name; a sector; an employer; ``availability`` "free" or "full".
    The distance from ``near`` is the great-circle distance between postal codes: the distinct postal codes of
    the filtered places are read first (a few hundred at most) and the order is a CASE over them, so sorting
    by distance is paged by the database like every other column. Three statements, whatever the number of places.
    """
    from web.paging import paginate
    from web.services.geo import distance_km, lookup_postal_code
    from web.services.proposals import CAPACITY_STATES

    taken = (
        select(Proposal.place_id.label("place_id"), func.count().label("n"))
        .where(Proposal.state.in_(CAPACITY_STATES)).group_by(Proposal.place_id).subquery()
    )
    free = (StagePlace.places - func.coalesce(taken.c.n, 0)).label("free")
    stmt = (
        select(StagePlace.id, StagePlace.title, StagePlace.sector, StagePlace.postal_code, StagePlace.places, StagePlace.published_at,
               Employer.id.label("employer_id"), Employer.name.label("employer_name"), free)
        .join(Employer, Employer.id == StagePlace.employer_id)
        .outerjoin(taken, taken.c.place_id == StagePlace.id)
        .where(StagePlace.status == "published", Employer.review_status == "approved")  # an unreviewed organisation's places reach nobody
    )
    if text:
        like = f"%{text.strip().lower()}%"
        stmt = stmt.where(func.lower(StagePlace.title).like(like) | func.lower(func.coalesce(StagePlace.tasks, "")).like(like)
                          | func.lower(Employer.name).like(like))
    if sector:
        stmt = stmt.where(StagePlace.sector == sector)
    if employer_id:
        stmt = stmt.where(StagePlace.employer_id == employer_id)
    if availability == "free":
        stmt = stmt.where(StagePlace.places - func.coalesce(taken.c.n, 0) > 0)
    elif availability == "full":
        stmt = stmt.where(StagePlace.places - func.coalesce(taken.c.n, 0) <= 0)
    origin = lookup_postal_code(near) if near else None
    distances: dict[str, float] = {}
    if origin is not None:
        codes = session.exec(select(StagePlace.postal_code).distinct().where(StagePlace.id.in_(select(stmt.subquery().c.id)))).all()
        distances = {code: round(d, 1) for code in codes if code and (d := distance_km(origin.postal_code, code)) is not None}
    distance = case(*((StagePlace.postal_code == code, km) for code, km in distances.items()), else_=None) if distances else None
    order = {
        "titel": [func.lower(StagePlace.title)], "werkgever": [func.lower(Employer.name)], "sector": [StagePlace.sector],
        "postcode": [StagePlace.postal_code], "vrij": [free], "gepubliceerd": [StagePlace.published_at],
        "afstand": [case((distance.is_(None), 1), else_=0), distance, func.lower(StagePlace.title)] if distance is not None
        else [StagePlace.postal_code, func.lower(StagePlace.title)],
    }
    if wanted.sort == "afstand" and distance is not None and wanted.descending:  # unknown distances stay last either way
        order["afstand"] = [case((distance.is_(None), 0), else_=1), distance, func.lower(StagePlace.title)]

    def with_distance(row):
        return {**row._asdict(), "distance_km": distances.get(row.postal_code)} if origin is not None else {**row._asdict(), "distance_km": None}

    return paginate(session, stmt, wanted, order, tiebreak=[StagePlace.id], convert=with_distance)


def place_employers(*, session: Session) -> list[tuple[int, str]]:
    """Approved employers with a published place (id, name), for the coaches' employer filter."""
    rows = session.exec(
        select(Employer.id, Employer.name).where(Employer.id.in_(select(StagePlace.employer_id).where(StagePlace.status == "published")),
                                                 Employer.review_status == "approved")
        .order_by(Employer.name, Employer.id)
    ).all()
    return [(r[0], r[1]) for r in rows]
