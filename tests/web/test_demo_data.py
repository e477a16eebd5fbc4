"""The demo data set: counts, invariants, determinism and idempotence of ``load_demo_data``.

Loading takes about a second, so the read-only checks share one database loaded once for this module;
they only read from it. Tests that write (second load, determinism, missing seed files) build their own.
"""
from __future__ import annotations

import logging
import shutil
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, SQLModel, func, select

import web.models  # noqa: F401  (registers every table)
from web.db import build_engine
from web.models import (
    PHASES,
    PLACE_STATUSES,
    PROPOSAL_STATES,
    SECTORS,
    CostLine,
    CostSheet,
    Employer,
    EmployerMember,
    Evaluation,
    HoldPeriod,
    Meeting,
    Participant,
    ParticipantSkill,
    PhasePeriod,
    PlaceSkill,
    Premium,
    Proposal,
    ProposalEvent,
    Setting,
    SkillTerm,
    StagePlace,
    Team,
    Trajectory,
    User,
)
from web.services.demo import FALLBACK_POSTAL_CODES, load_demo_data
from web.services.proposals import CAPACITY_STATES, DECLINE_REASONS, TRANSITIONS

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, tzinfo=UTC)
HASH = "$argon2id$v=19$m=65536,t=3,p=4$demo$hash"
RUBRIC = {"work_attitude", "pace", "independence", "collaboration", "dutch", "reliability", "motivation", "support_need"}


def _engine(path: Path):
    engine = build_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    return engine


def _load(engine, seeds_dir: Path = SEEDS) -> dict:
    with Session(engine) as session:
        counts = load_demo_data(session=session, seeds_dir=seeds_dir, password_hash=HASH, today=TODAY)
        session.commit()
    return counts


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """One demo database for the read-only checks, with the counts and the load time."""
    engine = _engine(tmp_path_factory.mktemp("demo") / "demo.db")
    started = time.perf_counter()
    counts = _load(engine)
    seconds = time.perf_counter() - started
    yield engine, counts, seconds
    engine.dispose()


@pytest.fixture
def session(loaded):
    engine, _, _ = loaded
    with Session(engine) as session:
        yield session
        session.rollback()


def _all(session, model, order=None):
    return list(session.exec(select(model).order_by(order if order is not None else model.id)).all())


def _kbo_ok(number: str) -> bool:
    return len(number) == 10 and number.isdigit() and number[0] == "0" and int(number[8:]) == 97 - int(number[:8]) % 97


# --- counts -----------------------------------------------------------------------------------------


def test_demo_set_has_the_promised_size_and_spread(session, loaded):
    _, counts, _seconds = loaded
    employers = _all(session, Employer)
    places = _all(session, StagePlace)
    participants = _all(session, Participant)
    coaches = session.exec(select(User).where(User.role == "coach")).all()
    assert len(employers) >= 40
    assert len({e.sector for e in employers}) >= 8
    assert {e.sector for e in employers} <= set(SECTORS)
    assert len(places) >= 150
    statuses = Counter(p.status for p in places)
    assert set(statuses) == set(PLACE_STATUSES)
    assert statuses["published"] == max(statuses.values())
    assert statuses["published"] >= 150 * 0.8
    assert len(participants) == 300
    assert len(coaches) == 6
    per_coach = Counter(p.coach_id for p in participants)
    assert set(per_coach) == {c.id for c in coaches}
    main_coach = session.exec(select(User).where(User.email == "coach@stagebrug.be")).one()
    assert per_coach[main_coach.id] >= 40
    assert counts["participant"] == 300 and counts["employer"] == len(employers)


def test_every_place_has_a_sheet_with_lines_and_two_to_six_skills(session):
    places = _all(session, StagePlace)
    sheets = {s.place_id: s for s in _all(session, CostSheet)}
    lines = Counter(line.sheet_id for line in _all(session, CostLine))
    skills = defaultdict(list)
    for skill in _all(session, PlaceSkill):
        skills[skill.place_id].append(skill)
    for place in places:
        sheet = sheets[place.id]
        assert lines[sheet.id] >= 2
        assert 2 <= len(skills[place.id]) <= 6
        assert any(s.required for s in skills[place.id])
        assert all(1 <= s.min_level <= 4 for s in skills[place.id])
        assert 19 <= place.hours_per_week <= 38 and 1 <= place.places <= 3
        if place.status == "published":
            assert sheet.intention in ("hire", "probably", "no")
            assert sheet.first_day_plan and sheet.feedback_moments and sheet.participant_pace and sheet.safety_rules
    written = {s.name for ss in skills.values() for s in ss}
    assert {"heftruck", "vorkheftruck rijden", "heftruckattest"} & written
    assert {"poetsen", "schoonmaak", "kuisen"} & written


def test_places_dates_agree_with_their_status(session):
    for place in _all(session, StagePlace):
        if place.status == "draft":
            assert place.published_at is None and place.expires_at is None
            continue
        assert place.published_at is not None and place.published_at < NOW
        assert place.created_at <= place.published_at
        if place.status == "published":
            assert place.expires_at > NOW
        if place.status == "expired":
            assert place.expires_at <= NOW


# --- reference data and accounts -----------------------------------------------------------------------


def test_reference_data_is_loaded(session):
    premiums = {p.code: p for p in _all(session, Premium)}
    loonpremie = premiums["imw_loonpremie"]
    assert (loonpremie.percentage_min, loonpremie.percentage_max) == (20, 75)
    for premium in premiums.values():
        assert premium.source_url.startswith(("https://www.vlaanderen.be/", "https://werkgevers.vdab.be/"))
        assert "ndicatie" in premium.conditions_nl and "ndicative" in premium.conditions_en
    settings = {s.key: s.value for s in _all(session, Setting, Setting.key)}
    assert settings["phase_max_days"] == {"voortraject": 30, "jobmatching": 90, "stage": 90, "nazorg": 90}
    assert settings["success_definition"] == {"contract": "regular", "within_trajectory": True, "still_employed_end_of_nazorg": True}
    assert settings["retention_days"] == 730 and settings["place_expiry_days"] == 60


def test_demo_accounts_are_linked_as_described(session):
    users = {u.email: u for u in _all(session, User)}
    assert {u.password_hash for u in users.values()} == {HASH}
    assert users["admin@stagebrug.be"].role == "admin" and users["admin@stagebrug.be"].full_name == "Ann Admin"
    coach = users["coach@stagebrug.be"]
    assert coach.full_name == "Kris Coach"
    team = session.get(Team, coach.team_id)
    assert team.name == "Team Gent" and team.shared_caseload
    teams = Counter(u.team_id for u in users.values() if u.role == "coach")
    assert sorted(teams.values()) == [3, 3]
    leads = Counter(u.team_id for u in users.values() if u.role == "coach" and u.is_team_lead)
    assert set(leads.values()) == {1} and len(leads) == 2
    others = [e for e, u in users.items() if u.role in ("coach", "employer") and e not in ("coach@stagebrug.be", "werkgever@stagebrug.be")]
    assert all(e.endswith("@demo.stagebrug.be") for e in others)

    member = session.exec(select(EmployerMember).where(EmployerMember.user_id == users["werkgever@stagebrug.be"].id)).one()
    employer = session.get(Employer, member.employer_id)
    assert member.is_owner and employer.name == "Logistiek Van Damme" and employer.postal_code.startswith("90")
    published = session.exec(select(StagePlace).where(StagePlace.employer_id == employer.id, StagePlace.status == "published")).all()
    assert len(published) >= 5
    for place in published:
        sheet = session.exec(select(CostSheet).where(CostSheet.place_id == place.id)).one()
        assert sheet.intention and sheet.first_day_plan and sheet.mentor_name and sheet.coach_visits

    participant = session.exec(select(Participant).where(Participant.user_id == users["deelnemer@stagebrug.be"].id)).one()
    assert participant.coach_id == coach.id and participant.postal_code.startswith("90")
    skills = {s.name: s.level for s in session.exec(select(ParticipantSkill).where(ParticipantSkill.participant_id == participant.id))}
    assert skills["heftruck rijden"] == 3 and skills["orderpicking"] == 3 and skills["stiptheid"] == 4 and skills["werken in team"] == 3
    place_ids = {p.id for p in published}
    own = session.exec(select(Proposal).where(Proposal.participant_id == participant.id)).all()
    assert {p.state for p in own if p.place_id in place_ids} >= {"proposed", "participant_agreed"}


def test_participants_are_realistic(session):
    participants = _all(session, Participant)
    skills = Counter(s.participant_id for s in _all(session, ParticipantSkill))
    assert all(3 <= skills[p.id] <= 9 for p in participants)
    assert all(p.postal_code[0] in "23589" for p in participants)
    assert all(10 <= p.max_distance_km <= 40 and 19 <= p.hours_per_week <= 38 for p in participants)
    assert {p.dutch_level for p in participants} == {"A2", "B1", "B2", "C1"}
    licence = sum(p.driving_licence for p in participants) / len(participants)
    assert 0.3 <= licence <= 0.5
    assert any(p.limitations for p in participants) and any(p.support_needs for p in participants)
    assert len({p.last_name for p in participants}) > 60


# --- trajectories ----------------------------------------------------------------------------------------


def test_trajectories_cover_every_phase_and_outcome(session):
    trajectories = _all(session, Trajectory)
    assert len(trajectories) == 300 and len({t.participant_id for t in trajectories}) == 300
    assert {t.current_phase for t in trajectories if t.ended_on is None} == set(PHASES)
    assert {t.outcome for t in trajectories if t.ended_on is not None} == {"hired", "not_hired", "stopped"}
    ended_hired = [t for t in trajectories if t.outcome == "hired" and t.ended_on is not None]
    assert {t.still_employed_at_end for t in ended_hired} == {True, False}
    assert session.exec(select(func.count()).select_from(HoldPeriod)).one() > 0

    periods = defaultdict(list)
    for period in _all(session, PhasePeriod):
        periods[period.trajectory_id].append(period)
    maxima = {"voortraject": 30, "jobmatching": 90, "stage": 90, "nazorg": 90}
    overdue = 0
    for trajectory in trajectories:
        rows = periods[trajectory.id]
        assert rows and rows[0].started_on == trajectory.started_on
        for period in rows:
            assert period.due_on == period.started_on + timedelta(days=maxima[period.phase])
            assert period.started_on <= TODAY and (period.ended_on is None or period.started_on <= period.ended_on <= TODAY)
        open_rows = [p for p in rows if p.ended_on is None]
        if trajectory.ended_on is None:
            assert len(open_rows) == 1 and open_rows[0].phase == trajectory.current_phase
            overdue += open_rows[0].due_on < TODAY
        else:
            assert not open_rows
    assert 1 <= overdue <= 30


def test_evaluations_use_the_rubric(session):
    evaluations = _all(session, Evaluation)
    signed = [e for e in evaluations if e.signed_off_at is not None]
    assert signed and any(e.signed_off_at is None for e in evaluations)
    assert any(e.previous_id for e in evaluations)
    for evaluation in signed:
        assert set(evaluation.scores) == RUBRIC
        assert all(1 <= v["score"] <= 4 and v["motivation"] for v in evaluation.scores.values())
        assert evaluation.decision in ("ready", "ready_with_support", "not_yet")


# --- proposals --------------------------------------------------------------------------------------------


def test_every_proposal_state_is_present_with_consistent_events(session):
    proposals = _all(session, Proposal)
    assert {p.state for p in proposals} == set(PROPOSAL_STATES)
    events = defaultdict(list)
    for event in _all(session, ProposalEvent):
        events[event.proposal_id].append(event)
    confirmed = {m.proposal_id: m for m in _all(session, Meeting) if m.status == "confirmed"}
    for proposal in proposals:
        chain = events[proposal.id]
        assert chain[0].from_state is None and chain[0].to_state == "proposed"
        assert chain[-1].to_state == proposal.state and chain[-1].at < NOW
        assert all(e.actor_id is not None for e in chain)
        for before, after in zip(chain, chain[1:], strict=False):
            assert after.from_state == before.to_state
            assert (before.to_state, after.to_state) in TRANSITIONS
            assert before.at <= after.at
        assert proposal.created_at == chain[0].at and proposal.updated_at == chain[-1].at
        if proposal.state == "declined":
            assert proposal.decline_reason in DECLINE_REASONS and proposal.declined_by in ("coach", "employer", "participant")
        if proposal.state == "intake_planned":
            meeting = confirmed.get(proposal.id)
            assert meeting is not None and meeting.starts_at > NOW and meeting.ends_at > meeting.starts_at and meeting.location
        if proposal.state in ("stage_agreed", "stage_running", "stage_completed", "hired", "not_hired"):
            assert proposal.stage_start and proposal.stage_end and proposal.stage_start < proposal.stage_end
        if proposal.state == "stage_agreed":
            assert proposal.stage_start > TODAY
        if proposal.state == "stage_running":
            assert proposal.stage_start <= TODAY < proposal.stage_end


def test_capacity_of_a_place_is_never_exceeded(session):
    places = {p.id: p for p in _all(session, StagePlace)}
    proposals = _all(session, Proposal)
    for states in (("stage_agreed", "stage_running"), CAPACITY_STATES):
        taken = Counter(p.place_id for p in proposals if p.state in states)
        assert all(n <= places[place_id].places for place_id, n in taken.items())
    pairs = Counter((p.participant_id, p.place_id) for p in proposals)
    assert max(pairs.values()) == 1
    active = Counter(p.participant_id for p in proposals if p.state in ("stage_agreed", "stage_running"))
    assert max(active.values()) == 1


def test_kbo_numbers_pass_the_check(session):
    numbers = [e.kbo_number for e in _all(session, Employer)]
    assert all(_kbo_ok(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)


# --- loader behaviour ------------------------------------------------------------------------------------


TABLES = (User, Employer, StagePlace, PlaceSkill, CostSheet, Participant, ParticipantSkill, Trajectory, PhasePeriod, Proposal, ProposalEvent, Evaluation)


def _rows(engine, model) -> list[dict]:
    with Session(engine) as session:
        return [row.model_dump() for row in session.exec(select(model).order_by(model.id)).all()]


def test_two_loads_into_fresh_databases_give_identical_rows(tmp_path, loaded):
    engine, _, _ = loaded
    other = _engine(tmp_path / "again.db")
    try:
        _load(other)
        for model in TABLES:
            assert _rows(engine, model) == _rows(other, model), model.__name__
    finally:
        other.dispose()


def test_second_load_is_skipped_and_changes_nothing(tmp_path):
    engine = _engine(tmp_path / "twice.db")
    try:
        first = _load(engine)
        assert first["user_account"] > 200
        before = {m.__name__: len(_rows(engine, m)) for m in TABLES}
        assert _load(engine) == {"skipped": True}
        assert {m.__name__: len(_rows(engine, m)) for m in TABLES} == before
    finally:
        engine.dispose()


def _minimal_seeds(tmp_path: Path, *, postal_codes: bool) -> Path:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS / "demo", seeds / "demo")
    shutil.copy(SEEDS / "premiums.json", seeds / "premiums.json")
    if postal_codes:
        shutil.copy(SEEDS / "postal_codes.csv", seeds / "postal_codes.csv")
    return seeds


def test_skill_vocabulary_is_loaded_and_used_when_present(tmp_path):
    seeds = _minimal_seeds(tmp_path, postal_codes=True)
    (seeds / "skills.csv").write_text(
        "id,label_nl,variants_nl,label_en,variants_en,esco_uri,group\n"
        "forklift,heftruck rijden,heftruck|vorkheftruck rijden|heftruckattest,drive a forklift,forklift,,logistics\n"
        "cleaning,schoonmaken,poetsen|kuisen|schoonmaak,cleaning,,,cleaning\n",
        encoding="utf-8",
    )
    engine = _engine(tmp_path / "skills.db")
    try:
        _load(engine, seeds)
        with Session(engine) as session:
            assert session.get(SkillTerm, "forklift").variants_nl == ["heftruck", "vorkheftruck rijden", "heftruckattest"]
            mapped = session.exec(select(PlaceSkill).where(PlaceSkill.taxonomy_id == "forklift")).all()
            assert mapped and all(s.name in ("heftruck rijden", "heftruck", "vorkheftruck rijden", "heftruckattest") for s in mapped)
            assert session.exec(select(ParticipantSkill).where(ParticipantSkill.taxonomy_id == "cleaning")).first() is not None
    finally:
        engine.dispose()


def test_missing_skill_and_postal_files_are_skipped_with_a_log_line(tmp_path, caplog):
    seeds = _minimal_seeds(tmp_path, postal_codes=False)
    engine = _engine(tmp_path / "fallback.db")
    try:
        with caplog.at_level(logging.INFO, logger="web.services.demo"):
            counts = _load(engine, seeds)
        assert "skills.csv not found" in caplog.text and "postal_codes.csv not found" in caplog.text
        assert "skill_term" not in counts and counts["participant"] == 300
        with Session(engine) as session:
            codes = {p.postal_code for p in session.exec(select(Participant))} | {e.postal_code for e in session.exec(select(Employer))}
        assert codes <= set(FALLBACK_POSTAL_CODES)
    finally:
        engine.dispose()


def test_every_demo_proposal_holds_the_furthest_funnel_step_of_its_events(session):
    from web.models import REACHED_STEP

    furthest: dict[int, int] = {}
    for proposal_id, to_state in session.exec(select(ProposalEvent.proposal_id, ProposalEvent.to_state)).all():
        furthest[proposal_id] = max(furthest.get(proposal_id, 0), REACHED_STEP.get(to_state, 0))
    stored = dict(session.exec(select(Proposal.id, Proposal.reached_step)).all())
    assert stored and len(set(stored.values())) >= 3
    assert stored == {pid: furthest.get(pid, 0) for pid in stored}
