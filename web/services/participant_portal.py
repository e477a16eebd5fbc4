"""The participant's own view: suggested places in plain words, a yes or no, and the trajectory.

"Mijn vacatures" holds the places the coach released to the participant, the places of open proposals
that wait for the participant's answer, and, when the coach allows it, the engine's top stored suggestions
(never excluded ones). Everything is scoped to one participant: a place outside that set is not found.

An answer on a place with a proposal moves the proposal (``transition_proposal``); an answer on a plain
suggestion is stored as a ``PlaceAnswer`` row (one per participant and place) so the coach can see it.
Either way the coach is notified at once (``participant.answered``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlmodel import Session, select

from web.formatting import format_number
from web.models import (
    PHASES,
    CostSheet,
    Employer,
    MatchSuggestion,
    Meeting,
    Participant,
    ParticipantSkill,
    PhasePeriod,
    PlaceAnswer,
    Proposal,
    StagePlace,
    Trajectory,
    User,
    utcnow,
)
from web.services import geo
from web.services.audit import record_audit
from web.services.notifications import notify
from web.services.proposals import FINAL_STATES, TransitionError, transition_proposal
from web.services.vetting import approved_employer_ids

ENGINE_TOP = 5
# proposal states in which the participant still has to say yes (or may still say no)
AWAITING_ANSWER = ("proposed", "employer_interested")
# after a yes, the participant may change their mind until the stage is agreed
TAKE_BACK_STATES = ("participant_agreed", "employer_interested", "intake_planned")
# simple reasons a participant may give for "Liever niet"; the codes are the proposal decline reasons
DECLINE_CHOICES = (
    ("distance", _l("Het is te ver")),
    ("schedule", _l("De uren passen niet")),
    ("not_interested", _l("Dit werk past niet bij mij")),
    ("skills_mismatch", _l("Ik kan dit (nog) niet")),
    ("other", _l("Een andere reden")),
)
PLAIN_PROPOSAL_STATES = {
    "proposed": _l("Je coach stelt deze stage voor. Zeg of je het wil."),
    "participant_agreed": _l("Je zei ja. Nu wachten we op de werkgever."),
    "employer_interested": _l("De werkgever wil je leren kennen."),
    "intake_planned": _l("Er is een gesprek gepland om kennis te maken."),
    "stage_agreed": _l("De stage is afgesproken."),
    "stage_running": _l("Je doet nu stage."),
    "stage_completed": _l("De stage is voorbij."),
    "hired": _l("Je hebt de job!"),
    "not_hired": _l("Je kreeg de job niet. Je coach zoekt verder met jou."),
    "declined": _l("Dit gaat niet door."),
    "withdrawn": _l("Dit gaat niet door."),
}
NEXT_STEP_BY_PHASE = {
    "voortraject": _l("Je bereidt je voor met je coach. Samen kijken jullie wat je goed kan en wat je wil."),
    "jobmatching": _l("Je coach zoekt samen met jou een stageplaats. Kijk bij ‘Mijn vacatures’ en zeg wat je ervan vindt."),
    "stage": _l("Je doet stage bij een werkgever. Je coach komt langs en praat met jou en met je begeleider."),
    "nazorg": _l("Je hebt een job. Je coach helpt je nog als je vragen hebt."),
}


class PortalError(Exception):
    """An answer that cannot be given (any more)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class VacancyCard:
    """One place as the participant sees it, in plain words."""

    place: StagePlace
    employer: Employer | None
    municipality: str | None
    distance_km: int | None
    source: str  # "coach" (released or proposed) | "engine"
    proposal: Proposal | None = None
    answer: PlaceAnswer | None = None
    reasons: list[str] = field(default_factory=list)
    to_learn: list[str] = field(default_factory=list)
    offers: list[str] = field(default_factory=list)

    @property
    def start_passed(self) -> bool:
        """True when the place's start date lies in the past: it starts as soon as possible."""
        return self.place.start_date is not None and self.place.start_date < date.today()

    @property
    def can_answer(self) -> bool:
        """True while a yes or no still changes something."""
        if self.proposal is not None:
            return self.proposal.state in AWAITING_ANSWER and self.proposal.participant_consented_at is None
        return self.answer is None

    @property
    def can_take_back(self) -> bool:
        """True after a yes, until the stage is agreed: the participant may still say no after all."""
        if self.proposal is not None:
            return self.proposal.participant_consented_at is not None and self.proposal.state in TAKE_BACK_STATES
        return self.answer is not None and self.answer.answer == "interested"

    @property
    def answered(self) -> str | None:
        """'yes' or 'no' once the participant answered, else None."""
        if self.proposal is not None:
            if self.proposal.participant_consented_at is not None and self.proposal.state not in ("declined", "withdrawn"):
                return "yes"
            if self.proposal.state == "declined" and self.proposal.declined_by == "participant":
                return "no"
            return None
        if self.answer is not None:
            return "yes" if self.answer.answer == "interested" else "no"
        return None


# --- plain-language text -------------------------------------------------------------------------


def skill_heading(text: str) -> str:
    """A skill label or free text as the start of a sentence: trimmed, no end punctuation, first letter upper case."""
    label = " ".join((text or "").split()).rstrip(".:;,!? ")
    if len(label) > 1 and label[1].isupper():  # "iPad", "eID": leave as written
        return label
    return label[:1].upper() + label[1:]


def _words(text: str | None) -> str:
    """Free text as written, with its spacing tidied and no end punctuation (not capitalised: it is quoted)."""
    return " ".join((text or "").split()).rstrip(".:;,!? ")


def _fit_sentence(mine: str, theirs: str, *, written_by_me: bool, below_level: bool, required: bool) -> str:
    """One reason a place fits: the participant's own word first, the employer's word after it when it differs."""
    if mine.casefold() == theirs.casefold() or not mine:
        skill = skill_heading(mine or theirs)
        if below_level:
            return _("%(skill)s: dat staat in jouw profiel. Ze vragen iets meer. Daar leer je nog bij.", skill=skill)
        if required:
            return _("%(skill)s: dat staat in jouw profiel. Dat zoeken ze.", skill=skill)
        return _("%(skill)s: dat staat in jouw profiel. Dat is een pluspunt.", skill=skill)
    if written_by_me:
        if below_level:
            return _("Jij schreef: %(mine)s — zij vragen: %(theirs)s. Ze vragen iets meer. Daar leer je nog bij.", mine=mine, theirs=theirs)
        if required:
            return _("Jij schreef: %(mine)s — zij vragen: %(theirs)s. Dat past bij wat ze zoeken.", mine=mine, theirs=theirs)
        return _("Jij schreef: %(mine)s — zij vragen: %(theirs)s. Dat is een pluspunt.", mine=mine, theirs=theirs)
    if below_level:
        return _("In jouw profiel: %(mine)s — zij vragen: %(theirs)s. Ze vragen iets meer. Daar leer je nog bij.", mine=mine, theirs=theirs)
    if required:
        return _("In jouw profiel: %(mine)s — zij vragen: %(theirs)s. Dat past bij wat ze zoeken.", mine=mine, theirs=theirs)
    return _("In jouw profiel: %(mine)s — zij vragen: %(theirs)s. Dat is een pluspunt.", mine=mine, theirs=theirs)


def participant_reasons(explanation: dict | None, own_skills: frozenset[str] | set[str] = frozenset()) -> tuple[list[str], list[str]]:
    """Say in simple words why a place fits (and what is still to learn) from an engine explanation.

    One sentence per skill, as the participant reads it, with the participant's own word first: the stored
    explanation holds, per matched requirement, the participant's skill text (``skill``) next to the employer's
    (``requirement``). When the two are the same word the sentence names it once ("Punctualiteit: dat staat in
    jouw profiel. Dat zoeken ze."); when they differ it quotes both, the participant's first ("Jij schreef:
    handscanner — zij vragen: barcodescanner."). "Jij schreef" is only said of skills the participant entered
    themself (``own_skills``: their casefolded names); a skill the coach or an evaluation entered reads "In jouw
    profiel". The coach area's ``explain_lines(..., audience="participant")`` joins skills into one line and mixes
    fit and gaps, which this card shows apart, so the participant wording lives here.
    """
    if not explanation:
        return [], []
    reasons: list[str] = []
    to_learn: list[str] = []
    for item in explanation.get("matched") or []:
        theirs = _words(item.get("requirement"))
        mine = _words(item.get("skill"))
        if not (theirs or mine):
            continue
        reasons.append(_fit_sentence(
            mine, theirs or mine, written_by_me=mine.casefold() in own_skills,
            below_level=(item.get("level") or 0) < (item.get("min_level") or 0), required=item.get("required", True),
        ))
    for item in explanation.get("missing") or []:
        skill = skill_heading(item.get("requirement") or "")
        if skill and item.get("required", True):
            to_learn.append(_("%(skill)s: dat vragen ze ook. Vraag je coach hoe je dat kan leren.", skill=skill))
    for item in explanation.get("exclusions") or []:
        code = item.get("code")
        if code == "dutch_level":
            to_learn.append(_("Ze vragen Nederlands op niveau %(level)s. Vraag je coach naar een cursus.", level=item.get("need")))
        elif code == "licence":
            to_learn.append(_("Je hebt een rijbewijs nodig voor deze job."))
        elif code == "hours":
            to_learn.append(_("Ze vragen %(hours)s uur per week. Praat erover met je coach.", hours=format_number(item.get("need"))))
        elif code == "distance":
            to_learn.append(_("Het is verder dan je wil reizen. Praat erover met je coach."))
    return reasons, to_learn


def offer_lines(sheet: CostSheet | None) -> list[str]:
    """What the employer offers, from the cost & expectation sheet, in simple words."""
    lines = [_("Tijdens de stage krijg je je loon, zoals nu.")]
    if sheet is None:
        return lines
    if sheet.mentor_name:
        lines.append(_("Op het werk helpt %(name)s je. Die persoon legt alles uit.", name=sheet.mentor_name))
    elif sheet.mentor_hours_per_week:
        lines.append(_("Op het werk is er iemand die je helpt en alles uitlegt."))
    if sheet.coach_visits:
        lines.append(_("Je coach komt langs op het werk: %(visits)s", visits=sheet.coach_visits))
    if sheet.intention == "hire":
        lines.append(_("Gaat de stage goed? Dan wil de werkgever je een job geven."))
    elif sheet.intention == "probably":
        lines.append(_("Gaat de stage goed? Dan geeft de werkgever je misschien een job."))
    elif sheet.intention == "no":
        lines.append(_("De werkgever belooft nog geen job na de stage."))
    if sheet.contract_type:
        lines.append(_("Soort contract bij een job: %(contract)s", contract=sheet.contract_type))
    return lines


def plain_proposal_state(state: str) -> str:
    """The state of a proposal as the participant reads it."""
    label = PLAIN_PROPOSAL_STATES.get(state)
    return str(label) if label is not None else state


# --- "Mijn vacatures" ------------------------------------------------------------------------------


def _visible_suggestions(session: Session, participant: Participant) -> dict[int, tuple[str, MatchSuggestion | None]]:
    """The place ids the participant may see, with where each comes from and its stored suggestion."""
    visible: dict[int, tuple[str, MatchSuggestion | None]] = {}
    released = session.exec(
        select(MatchSuggestion).where(
            MatchSuggestion.participant_id == participant.id, MatchSuggestion.released_to_participant.is_(True)
        )
    ).all()
    for suggestion in released:
        visible[suggestion.place_id] = ("coach", suggestion)
    if participant.engine_suggestions_visible:
        top = session.exec(
            select(MatchSuggestion)
            .join(StagePlace, StagePlace.id == MatchSuggestion.place_id)
            .where(
                MatchSuggestion.participant_id == participant.id,
                MatchSuggestion.excluded.is_(False),
                StagePlace.status == "published",
                StagePlace.employer_id.in_(approved_employer_ids()),
            )
            .order_by(MatchSuggestion.score.desc(), MatchSuggestion.place_id)
            .limit(ENGINE_TOP)
        ).all()
        for suggestion in top:
            visible.setdefault(suggestion.place_id, ("engine", suggestion))
    return visible


def _open_proposals(session: Session, participant: Participant) -> dict[int, Proposal]:
    """The participant's most recent proposal per place."""
    rows = session.exec(
        select(Proposal).where(Proposal.participant_id == participant.id).order_by(Proposal.created_at, Proposal.id)
    ).all()
    return {proposal.place_id: proposal for proposal in rows}


def _build_card(participant: Participant, place: StagePlace, employer: Employer | None, sheet: CostSheet | None, source: str,
                suggestion: MatchSuggestion | None, proposal: Proposal | None, answer: PlaceAnswer | None,
                own_skills: frozenset[str] = frozenset()) -> VacancyCard:
    area = geo.lookup_postal_code(place.postal_code)
    distance = None
    if suggestion is not None and suggestion.explanation and suggestion.explanation.get("distance_km") is not None:
        distance = suggestion.explanation["distance_km"]
    elif participant.postal_code and place.postal_code:
        distance = geo.distance_km(participant.postal_code, place.postal_code)
    reasons, to_learn = participant_reasons(suggestion.explanation if suggestion else None, own_skills)
    return VacancyCard(
        place=place,
        employer=employer,
        municipality=area.municipality if area else (employer.city if employer else None),
        distance_km=round(distance) if distance is not None else None,
        source=source,
        proposal=proposal,
        answer=answer,
        reasons=reasons,
        to_learn=to_learn,
        offers=offer_lines(sheet),
    )


def list_my_vacancies(*, session: Session, participant: Participant) -> list[VacancyCard]:
    """The places suggested to a participant: open ones first, those still waiting for an answer on top."""
    visible = _visible_suggestions(session, participant)
    proposals = _open_proposals(session, participant)
    for place_id, proposal in proposals.items():
        still_mine = proposal.state not in FINAL_STATES or (proposal.state == "declined" and proposal.declined_by == "participant")
        if still_mine or place_id in visible:
            visible.setdefault(place_id, ("coach", None))
    if not visible:
        return []
    places: dict[int, StagePlace] = {}
    employers: dict[int, Employer] = {}
    for place, employer in session.exec(
        select(StagePlace, Employer).outerjoin(Employer, Employer.id == StagePlace.employer_id).where(StagePlace.id.in_(list(visible)))
    ).all():
        places[place.id] = place
        if employer is not None:
            employers[employer.id] = employer
    sheets = {sheet.place_id: sheet for sheet in session.exec(select(CostSheet).where(CostSheet.place_id.in_(list(places)))).all()}
    answers = {
        a.place_id: a
        for a in session.exec(select(PlaceAnswer).where(PlaceAnswer.participant_id == participant.id)).all()
    }
    suggestions = {
        s.place_id: s
        for s in session.exec(
            select(MatchSuggestion).where(MatchSuggestion.participant_id == participant.id, MatchSuggestion.place_id.in_(list(visible)))
        ).all()
    }
    own_skills = frozenset(
        _words(name).casefold()
        for name in session.exec(
            select(ParticipantSkill.name).where(ParticipantSkill.participant_id == participant.id, ParticipantSkill.source == "participant")
        ).all()
    )
    cards = []
    for place_id, (source, suggestion) in visible.items():
        place = places.get(place_id)
        proposal = proposals.get(place_id)
        if place is None:
            continue
        if place.status != "published" and proposal is None:
            continue
        cards.append(
            _build_card(participant, place, employers.get(place.employer_id), sheets.get(place.id), source, suggestion or suggestions.get(place_id),
                        proposal, answers.get(place_id), own_skills)
        )
    cards.sort(key=lambda c: (not c.can_answer, c.source != "coach", -(suggestions[c.place.id].score if c.place.id in suggestions else 0), c.place.id))
    return cards


def get_my_vacancy(*, session: Session, participant: Participant, place_id: int) -> VacancyCard | None:
    """One of the participant's suggested places, or None when it is not theirs to see."""
    for card in list_my_vacancies(session=session, participant=participant):
        if card.place.id == place_id:
            return card
    return None


def answer_vacancy(
    *, session: Session, participant: Participant, place_id: int, interested: bool, actor: User, reason: str | None = None
) -> VacancyCard:
    """Record the participant's yes or no on a suggested place and notify the coach at once."""
    card = get_my_vacancy(session=session, participant=participant, place_id=place_id)
    if card is None:
        raise PortalError("not_found")
    if not card.can_answer:
        raise PortalError("already_answered")
    reason, role = _clean_reason(reason), _actor_role(actor)
    if card.proposal is not None:
        try:
            if interested:
                transition_proposal(session=session, proposal=card.proposal, to_state="participant_agreed", actor=actor, actor_role=role)
            else:
                transition_proposal(
                    session=session, proposal=card.proposal, to_state="declined", actor=actor, actor_role=role,
                    data={"reason": reason or "not_interested"},
                )
        except TransitionError as exc:
            raise PortalError(exc.code) from exc
    else:
        card.answer = PlaceAnswer(
            participant_id=participant.id,
            place_id=place_id,
            answer="interested" if interested else "not_interested",
            reason=None if interested else reason,
            answered_by_id=actor.id,
            answered_at=utcnow(),
        )
        session.add(card.answer)
        session.flush()
    _tell_coach(session=session, participant=participant, card=card, answer="interested" if interested else "not_interested",
                reason=None if interested else reason)
    record_audit(session=session, actor_id=actor.id, action="participant.answered", obj=participant,
                 detail={"place_id": place_id, "answer": "interested" if interested else "not_interested", "reason": reason})
    return card


def take_back_yes(*, session: Session, participant: Participant, place_id: int, actor: User, reason: str | None = None) -> VacancyCard:
    """The participant says no after all: a proposal is declined (the employer no longer sees their contact data),
    a plain suggestion's answer becomes 'liever niet'. The coach is notified at once."""
    card = get_my_vacancy(session=session, participant=participant, place_id=place_id)
    if card is None:
        raise PortalError("not_found")
    if not card.can_take_back:
        agreed = card.proposal is not None and card.proposal.state in ("stage_agreed", "stage_running", "stage_completed", "hired")
        raise PortalError("stage_agreed" if agreed else "no_yes")
    reason, role = _clean_reason(reason), _actor_role(actor)
    if card.proposal is not None:
        try:
            transition_proposal(
                session=session, proposal=card.proposal, to_state="declined", actor=actor, actor_role=role,
                data={"reason": reason or "not_interested", "after_yes": True},
            )
        except TransitionError as exc:
            raise PortalError(exc.code) from exc
    else:
        card.answer.answer = "not_interested"
        card.answer.reason = reason
        card.answer.answered_by_id = actor.id
        card.answer.answered_at = utcnow()
        session.add(card.answer)
        session.flush()
    _tell_coach(session=session, participant=participant, card=card, answer="took_back", reason=reason)
    record_audit(session=session, actor_id=actor.id, action="participant.took_back", obj=participant,
                 detail={"place_id": place_id, "reason": reason})
    return card


def _clean_reason(reason: str | None) -> str | None:
    """A known decline reason, 'other' for anything else, or None."""
    return reason if reason is None or reason in dict(DECLINE_CHOICES) else "other"


def _actor_role(actor: User) -> str:
    """The participant answers for themself; anyone else (their coach) answers on their behalf."""
    return "participant" if actor.role == "participant" else "coach"


def _tell_coach(*, session: Session, participant: Participant, card: VacancyCard, answer: str, reason: str | None) -> None:
    """Notify the participant's coach at once of an answer on one of their places."""
    notify(
        session=session,
        user_id=participant.coach_id,
        kind="participant.answered",
        payload={
            "participant_id": participant.id,
            "place_id": card.place.id,
            "answer": answer,
            "reason": reason,
            "proposal_id": card.proposal.id if card.proposal else None,
        },
        **({"endpoint": "coach.proposal_detail", "endpoint_args": {"proposal_id": card.proposal.id}} if card.proposal else
           {"endpoint": "coach.participant", "endpoint_args": {"participant_id": participant.id}}),
    )


# --- "Mijn traject" ------------------------------------------------------------------------------


@dataclass
class ProposalLine:
    proposal: Proposal
    place: StagePlace
    employer: Employer | None
    text: str
    waiting_for_me: bool
    meeting: Meeting | None = None  # the confirmed intake meeting
    options: list[Meeting] = field(default_factory=list)  # slots the employer offered, to pick from


@dataclass
class PhaseStep:
    """One of the four phases of a trajectory as the participant sees it: done, now or later, with its dates."""

    phase: str
    status: str  # "done" | "now" | "later"
    periods: list[PhasePeriod] = field(default_factory=list)


def phase_steps(trajectory: Trajectory | None, periods: list[PhasePeriod]) -> list[PhaseStep]:
    """All four phases in order (voortraject, jobmatching, stage, nazorg) with where the participant stands.

    A phase before the current one is done, the current one is now (done once the trajectory has ended), a
    later one is later, even when an earlier spell in it is on record (a stage that ended without a job sends
    the participant back to jobmatching): that spell's dates stay with the phase.
    """
    if trajectory is None:
        return []
    current = PHASES.index(trajectory.current_phase) if trajectory.current_phase in PHASES else 0
    steps = []
    for index, phase in enumerate(PHASES):
        if index < current or (index == current and trajectory.ended_on is not None):
            status = "done"
        elif index == current:
            status = "now"
        else:
            status = "later"
        steps.append(PhaseStep(phase, status, [p for p in periods if p.phase == phase]))
    return steps


def my_trajectory(*, session: Session, participant: Participant) -> dict:
    """The participant's current trajectory: phase, periods with due dates, next step and proposals."""
    trajectory = session.exec(
        select(Trajectory).where(Trajectory.participant_id == participant.id).order_by(Trajectory.started_on.desc(), Trajectory.id.desc())
    ).first()
    periods: list[PhasePeriod] = []
    current: PhasePeriod | None = None
    if trajectory is not None:
        periods = list(
            session.exec(select(PhasePeriod).where(PhasePeriod.trajectory_id == trajectory.id).order_by(PhasePeriod.started_on, PhasePeriod.id)).all()
        )
        open_periods = [p for p in periods if p.ended_on is None and p.phase == trajectory.current_phase]
        current = open_periods[-1] if open_periods else None
    lines = []
    for proposal, place, employer in session.exec(
        select(Proposal, StagePlace, Employer)
        .outerjoin(StagePlace, StagePlace.id == Proposal.place_id)
        .outerjoin(Employer, Employer.id == StagePlace.employer_id)
        .where(Proposal.participant_id == participant.id)
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())
    ).all():
        lines.append(
            ProposalLine(
                proposal=proposal,
                place=place,
                employer=employer,
                text=plain_proposal_state(proposal.state),
                waiting_for_me=proposal.state in AWAITING_ANSWER and proposal.participant_consented_at is None,
            )
        )
    # meetings are shown only once the participant said yes to that proposal
    consented = [line.proposal.id for line in lines if line.proposal.participant_consented_at is not None]
    if consented:
        for meeting in session.exec(
            select(Meeting).where(Meeting.proposal_id.in_(consented), Meeting.status.in_(("option", "confirmed"))).order_by(Meeting.starts_at)
        ).all():
            line = next(line for line in lines if line.proposal.id == meeting.proposal_id)
            if meeting.status == "confirmed":
                line.meeting = meeting
            elif line.proposal.state in ("participant_agreed", "employer_interested"):
                line.options.append(meeting)
    next_steps = []
    if trajectory is not None and trajectory.ended_on is None:
        next_steps.append(str(NEXT_STEP_BY_PHASE.get(trajectory.current_phase, "")))
    waiting = waiting_count(session=session, participant=participant)
    for line in lines:
        if line.meeting is not None and line.proposal.state == "intake_planned" and line.meeting.starts_at >= utcnow():
            next_steps.append(_("Je hebt een gesprek bij %(employer)s.", employer=line.employer.name if line.employer else line.place.title))
        if line.options:
            next_steps.append(_("%(employer)s wil je leren kennen. Kies een moment.", employer=line.employer.name if line.employer else line.place.title))
        if line.proposal.stage_start and line.proposal.stage_start >= date.today() and line.proposal.state == "stage_agreed":
            next_steps.append(_("Je stage begint bij %(employer)s.", employer=line.employer.name if line.employer else line.place.title))
    return {
        "trajectory": trajectory,
        "current_period": current,
        "periods": periods,
        "phases": phase_steps(trajectory, periods),
        "waiting": waiting,  # one count for the dashboard badge and "Mijn traject"
        "waiting_text": waiting_sentence(waiting) if waiting else "",
        "next_steps": [s for s in next_steps if s],
        "proposals": lines,
        "open_proposals": [line for line in lines if line.proposal.state not in FINAL_STATES],
    }


def waiting_sentence(count: int) -> str:
    """How many places wait for the participant's answer, in the words the dashboard badge uses too."""
    return ngettext("%(num)d stageplaats wacht op jouw antwoord.", "%(num)d stageplaatsen wachten op jouw antwoord.", count)


def waiting_count(*, session: Session, participant: Participant) -> int:
    """How many suggested places still wait for the participant's answer (proposals and plain suggestions alike)."""
    return sum(1 for card in list_my_vacancies(session=session, participant=participant) if card.can_answer)
