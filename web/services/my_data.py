""""Mijn gegevens" in plain language: the participant's data as sections a person can read, for the page and the PDF.

``readable_data`` turns the portable export (``privacy.export_participant_data``, whose JSON keys are documented
in docs/data-export.md) into five sections — who I am, what I can do, what I want, my trajectory, who saw my
data — with labels and values in the reader's language and dates as people write them. No database field
name or code ever reaches the reader. ``grouped_profile_views`` folds repeated views of the profile into one
line per employer and place, with the count and the last time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from web.formatting import format_date, format_datetime, format_number
from web.labels import phase_label, proposal_state_label, sector_label, skill_level_label
from web.models import Participant, Proposal, StagePlace
from web.services import privacy
from web.services.notifications import render_notification
from web.services.participant_portal import plain_proposal_state

SKILL_SOURCE_LABELS = {
    "coach": _l("genoteerd door je coach"),
    "participant": _l("door jezelf ingevuld"),
    "evaluation": _l("uit een evaluatie"),
    "import": _l("overgenomen uit een lijst"),
}
CONSENT_LABELS = {
    "skills": _l("Alleen wat je kan (zonder je naam)"),
    "skills_name": _l("Wat je kan en je voornaam"),
}
OUTCOME_LABELS = {"hired": _l("aangeworven"), "not_hired": _l("niet aangeworven"), "stopped": _l("gestopt")}


@dataclass
class Table:
    caption: str
    head: list[str]
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Section:
    """One part of the readable export: a title, facts (label, value), tables and paragraphs."""

    key: str
    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ViewGroup:
    """Repeated views of the profile by one employer for one place."""

    employer: str
    place: str | None
    count: int
    last_at: datetime


def grouped_profile_views(*, session: Session, participant: Participant) -> list[ViewGroup]:
    """One line per employer and place that looked at the profile: how often and when last, newest first."""
    views = privacy.profile_views(session=session, participant=participant)
    proposal_ids = {view.proposal_id for view, _employer in views if view.proposal_id}
    titles: dict[int, str] = {}
    if proposal_ids:
        titles = dict(session.exec(
            select(Proposal.id, StagePlace.title).join(StagePlace, StagePlace.id == Proposal.place_id).where(Proposal.id.in_(proposal_ids))
        ).all())
    groups: dict[tuple, list] = {}
    for view, employer in views:
        name = employer.name if employer else _("Een werkgever")
        key = (view.employer_id, name, titles.get(view.proposal_id))
        entry = groups.setdefault(key, [0, view.at])
        entry[0] += 1
        entry[1] = max(entry[1], view.at)
    rows = [ViewGroup(name, title, count, last) for (_eid, name, title), (count, last) in groups.items()]
    return sorted(rows, key=lambda g: g.last_at, reverse=True)


def _yes_no(value) -> str:
    return _("ja") if value else _("nee")


def _text(value) -> str:
    return value if value not in (None, "") else "—"


def _place(place: dict | None) -> str:
    if not place:
        return "—"
    title, employer = place.get("title"), place.get("employer")
    if title and employer:
        return _("%(place)s bij %(employer)s", place=title, employer=employer)
    return title or employer or "—"


def readable_data(*, session: Session, participant: Participant) -> dict:
    """The participant's data as five plain-language sections (and the moment it was made)."""
    from web.services.evaluations import DECISION_LABELS, RUBRIC

    data = privacy.export_participant_data(session=session, participant=participant)
    p = data["participant"]
    account = data["account"] or {}

    who = Section("who", _("Wie ben ik"), facts=[
        (_("Naam"), f"{p['first_name']} {p['last_name']}"),
        (_("E-mailadres"), _text(p.get("email") or account.get("email"))),
        (_("Telefoon"), _text(p.get("phone"))),
        (_("Postcode"), _text(p.get("postal_code"))),
        (_("Je coach"), f"{data['coach']['name']} ({data['coach']['email']})" if data["coach"] else "—"),
        (_("Taal van je account"), {"nl": _("Nederlands"), "en": _("Engels")}.get(account.get("language"), "—")),
        (_("Account sinds"), _day(account.get("created_at"))),
        (_("Laatst aangemeld"), format_datetime(_moment(account.get("last_login_at"))) if account.get("last_login_at") else "—"),
        (_("In Stagebrug sinds"), _day(p.get("created_at"))),
    ])

    can = Section("can", _("Wat kan ik"), facts=[
        (_("Nederlands"), _text(p.get("dutch_level"))),
        (_("Rijbewijs B"), _yes_no(p.get("driving_licence"))),
    ])
    skills = Table(_("Wat je kan"), [_("Vaardigheid"), _("Niveau"), _("Waar het vandaan komt")])
    for s in data["skills"]:
        skills.rows.append([s["name"], skill_level_label(s["level"]), str(SKILL_SOURCE_LABELS.get(s.get("source"), "—"))])
    can.tables.append(skills)

    want = Section("want", _("Wat wil ik"), facts=[
        (_("Uren per week"), format_number(p.get("hours_per_week")) if p.get("hours_per_week") else "—"),
        (_("Hoe ver je wil reizen"), _("%(km)s km", km=format_number(p["max_distance_km"])) if p.get("max_distance_km") is not None else "—"),
        (_("Sectoren die je graag doet"), ", ".join(sector_label(code) for code in (p.get("preferred_sectors") or [])) or "—"),
        (_("Wat je graag zou worden"), ", ".join(p.get("occupations") or []) or "—"),
        (_("Je doelen"), _text(p.get("goals"))),
        (_("Waar rekening mee gehouden wordt"), _text(p.get("limitations"))),
        (_("Steun die je nodig hebt"), _text(p.get("support_needs"))),
    ])

    path = Section("trajectory", _("Mijn traject"))
    for t in data["trajectories"]:
        line = _("Gestart op %(start)s. Nu: %(phase)s.", start=format_date(t["started_on"]), phase=phase_label(t["current_phase"]))
        if t.get("ended_on"):
            line += " " + _("Afgesloten op %(end)s (%(outcome)s).", end=format_date(t["ended_on"]), outcome=str(OUTCOME_LABELS.get(t.get("outcome"), "—")))
        path.paragraphs.append(line)
        phases = Table(_("Fasen"), [_("Fase"), _("Begin"), _("Klaar rond"), _("Einde")])
        for ph in t["phases"]:
            phases.rows.append([phase_label(ph["phase"]), format_date(ph["started_on"]), format_date(ph["due_on"]), format_date(ph.get("ended_on"))])
        path.tables.append(phases)
    for e in data["evaluations"]:
        status = _("afgerond op %(when)s", when=_day(e["signed_off_at"])) if e.get("signed_off_at") else _("nog niet afgerond")
        evaluation = Table(
            _("Doorstroomevaluatie van %(date)s: %(decision)s (%(status)s)", date=format_date(e["held_on"]),
              decision=str(DECISION_LABELS.get(e.get("decision"), _("nog geen beslissing"))), status=status),
            [_("Punt"), _("Niveau"), _("Motivering")],
        )
        for item, (label, levels) in RUBRIC.items():
            entry = (e.get("scores") or {}).get(item) or {}
            score = entry.get("score")
            evaluation.rows.append([str(label), f"{score}/4 — {levels[score]}" if score in levels else "—", _text(entry.get("motivation"))])
        path.tables.append(evaluation)
        if e.get("summary"):
            path.paragraphs.append(_("Samenvatting van de evaluatie: %(summary)s", summary=e["summary"]))
    proposals = Table(_("Voorstellen"), [_("Stageplaats"), _("Waar het nu staat"), _("Stappen")])
    for pr in data["proposals"]:
        steps = "; ".join(f"{_day(ev['at'])}: {proposal_state_label(ev['to_state'])}" for ev in pr["events"]) or "—"
        proposals.rows.append([_place(pr["place"]), plain_proposal_state(pr["state"]), steps])
    path.tables.append(proposals)
    answers = Table(_("Jouw antwoorden"), [_("Stageplaats"), _("Jouw antwoord"), _("Wanneer")])
    for a in data["answers"]:
        answers.rows.append([_place(a["place"]), _("ik wil dit") if a["answer"] == "interested" else _("liever niet"),
                             _day(a["answered_at"])])
    path.tables.append(answers)
    suggestions = Table(_("Stageplaatsen die bij jou passen"), [_("Stageplaats"), _("Hoe goed het past (op 100)")])
    for s in data["suggestions"]:
        suggestions.rows.append([_place(s["place"]), format_number(s["score"], 0)])
    path.tables.append(suggestions)
    notes = Table(_("Notities van je coach"), [_("Wanneer"), _("Notitie")])
    for n in data["notes"]:
        notes.rows.append([_day(n["created_at"]), n["body"]])
    path.tables.append(notes)

    seen = Section("seen", _("Wie zag mijn gegevens"), facts=[
        (_("Wat werkgevers zien vóór een gesprek"), str(CONSENT_LABELS.get(p.get("consent_level"), "—"))),
        (_("Je ziet zelf de stageplaatsen die de computer voorstelt"), _yes_no(p.get("engine_suggestions_visible"))),
        (_("Vraag om je gegevens te wissen"), _day(p["erasure_requested_at"]) if p.get("erasure_requested_at") else _("nee")),
    ])
    views = Table(_("Wie bekeek je profiel?"), [_("Werkgever"), _("Stageplaats"), _("Hoe vaak"), _("Laatste keer")])
    for group in grouped_profile_views(session=session, participant=participant):
        views.rows.append([group.employer, _text(group.place), format_number(group.count), format_datetime(group.last_at, "short")])
    seen.tables.append(views)
    notifications = Table(_("Meldingen die je kreeg"), [_("Wanneer"), _("Melding")])
    for n in data["notifications"]:
        title, _body = render_notification(n["kind"], n.get("payload"))
        notifications.rows.append([_day(n["created_at"]), title])
    seen.tables.append(notifications)

    return {"made_at": format_datetime(_moment(data["exported_at"])), "sections": [who, can, want, path, seen]}


def _day(value) -> str:
    """A stored ISO timestamp as the day people write."""
    return format_date(_moment(value).date()) if value else "—"


def _moment(value):
    """A stored ISO timestamp back as a datetime (the export keeps them as text)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)
