"""The data model of Stagebrug: every table, with its constraints in the database.

Times are timezone-aware UTC datetimes (see ``utcnow``); SQLModel's UTCDateTime stores them as UTC and
returns them aware on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import DDL, JSON, CheckConstraint, Column, Index, Text, UniqueConstraint, event, text, true
from sqlmodel import Field, SQLModel

ROLES = ("employer", "coach", "participant", "admin")
LANGUAGES = ("nl", "en")
DUTCH_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")
PLACE_STATUSES = ("draft", "published", "paused", "filled", "closed", "expired")
PHASES = ("voortraject", "jobmatching", "stage", "nazorg")
PAYERS = ("stage_employer", "se_employer", "government", "nobody")
CONSENT_LEVELS = ("skills", "skills_name")
SKILL_SOURCES = ("coach", "participant", "evaluation", "import")
PROPOSAL_STATES = (
    "proposed",
    "participant_agreed",
    "employer_interested",
    "intake_planned",
    "stage_agreed",
    "stage_running",
    "stage_completed",
    "hired",
    "not_hired",
    "declined",
    "withdrawn",
)
EVALUATION_DECISIONS = ("ready", "ready_with_support", "not_yet")
REVIEW_STATUSES = ("pending", "approved", "more_info", "refused")
SECTORS = (
    "logistiek",
    "schoonmaak",
    "horeca",
    "retail",
    "productie",
    "groen",
    "bouw",
    "zorg",
    "recyclage",
    "wasserij",
    "techniek",
    "administratie",
    "transport",
)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


def json_column(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=nullable))


def text_column(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(Text, nullable=nullable))


# --- organisations and accounts -------------------------------------------------------------


class SocialEconomyCompany(SQLModel, table=True):
    """A maatwerkbedrijf or local service-economy company that employs participants."""

    __tablename__ = "social_economy_company"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    postal_code: str | None = Field(default=None, max_length=4)


class Team(SQLModel, table=True):
    """A team of coaches; a coach may see their team's caseload when the team allows it."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    company_id: int | None = Field(default=None, foreign_key="social_economy_company.id")
    shared_caseload: bool = Field(default=False)


class User(SQLModel, table=True):
    """A person who logs in: employer member, coach, participant or admin."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="ck_user_role"),
        CheckConstraint(_in("language", LANGUAGES), name="ck_user_language"),
    )
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str | None = Field(default=None, max_length=255)
    role: str = Field(max_length=20)
    full_name: str = Field(max_length=200)
    language: str = Field(default="nl", max_length=2)
    is_active: bool = Field(default=True)
    team_id: int | None = Field(default=None, foreign_key="team.id")
    is_team_lead: bool = Field(default=False)
    email_preferences: dict | None = json_column(nullable=True)
    phone: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None
    # Bumped at logout, password change and deactivation: every session cookie issued before is refused.
    session_version: int = Field(default=0)
    # Set when an admin deactivates the account: only an admin lifts it (employer owners cannot re-invite).
    deactivated_by_admin_at: datetime | None = None
    # False only for a self-registered account whose e-mail address is not confirmed yet (invitations prove it)
    email_verified: bool = Field(default=True, sa_column_kwargs={"server_default": true()})

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """Session id: the user id plus a fingerprint of the password hash and the session version, so a new
        password, a logout or a deactivation ends every earlier session."""
        return f"{self.id}.{self.session_fingerprint()}"

    def session_fingerprint(self) -> str | None:
        """The fingerprint a valid session carries; None for an account without a password (it has no session)."""
        if not self.password_hash:
            return None
        material = f"{self.password_hash}:{self.session_version or 0}"
        return hashlib.sha256(material.encode()).hexdigest()[:32]


class Employer(SQLModel, table=True):
    """A regular employer (organisation) that offers stage places."""

    __table_args__ = (CheckConstraint(_in("review_status", REVIEW_STATUSES), name="ck_employer_review_status"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    kbo_number: str = Field(max_length=10, unique=True)
    sector: str = Field(max_length=40)
    street: str | None = Field(default=None, max_length=200)
    postal_code: str = Field(max_length=4)
    city: str | None = Field(default=None, max_length=100)
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=40)
    size: str | None = Field(default=None, max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
    # a self-registered organisation waits for an admin's review before coaches see its places
    review_status: str = Field(default="approved", max_length=20, sa_column_kwargs={"server_default": "approved"})
    review_message: str | None = Field(default=None, max_length=2000)
    reviewed_at: datetime | None = None
    reviewed_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class EmployerMember(SQLModel, table=True):
    """Links a user to the employer organisation they act for."""

    __tablename__ = "employer_member"
    __table_args__ = (UniqueConstraint("user_id", name="uq_employer_member_user"),)
    id: int | None = Field(default=None, primary_key=True)
    employer_id: int = Field(foreign_key="employer.id", index=True)
    user_id: int = Field(foreign_key="user_account.id")
    is_owner: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)


class OneTimeToken(SQLModel, table=True):
    """A single-use link (invitation or password reset); only its hash is stored."""

    __tablename__ = "one_time_token"
    __table_args__ = (CheckConstraint(_in("purpose", ("invite", "reset")), name="ck_token_purpose"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    purpose: str = Field(max_length=10)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime
    used_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class LoginAttempt(SQLModel, table=True):
    """A login attempt, kept in the database so throttling holds across web workers."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_email_at", "email", "at"), Index("ix_login_attempt_ip_at", "ip", "at"))
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    ip: str = Field(max_length=64)
    success: bool = Field(default=False)
    at: datetime = Field(default_factory=utcnow)


class RateEvent(SQLModel, table=True):
    """One use of a rate-limited action (a mail-sending form) by a key such as an address or a user, kept in the
    database so the limit holds across web workers."""

    __tablename__ = "rate_event"
    __table_args__ = (Index("ix_rate_event_key_at", "key", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300)
    at: datetime = Field(default_factory=utcnow)


# --- reference data -------------------------------------------------------------------------


class SkillTerm(SQLModel, table=True):
    """An entry of the skill vocabulary, with Dutch variants; admins maintain it."""

    __tablename__ = "skill_term"
    id: str = Field(primary_key=True, max_length=80)
    label_nl: str = Field(max_length=200)
    variants_nl: list | None = json_column(nullable=True)
    label_en: str = Field(max_length=200)
    variants_en: list | None = json_column(nullable=True)
    esco_uri: str | None = Field(default=None, max_length=200)
    group: str = Field(max_length=40)
    active: bool = Field(default=True)


class Premium(SQLModel, table=True):
    """A premium or support measure that may apply to an employer; amounts live here, never in code."""

    __table_args__ = (CheckConstraint("amount IS NULL OR amount >= 0", name="ck_premium_amount"),)
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=60, unique=True)
    name_nl: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    conditions_nl: str | None = text_column()
    conditions_en: str | None = text_column()
    amount: float | None = None
    percentage_min: float | None = None
    percentage_max: float | None = None
    unit: str | None = Field(default=None, max_length=40)
    source_url: str | None = Field(default=None, max_length=500)
    valid_from: date | None = None
    valid_to: date | None = None


class Setting(SQLModel, table=True):
    """A configurable value maintained by admins (phase durations, success definition, retention)."""

    key: str = Field(primary_key=True, max_length=80)
    value: Any = json_column(nullable=True)
    updated_at: datetime = Field(default_factory=utcnow)


# --- stage places and the cost & expectation sheet ------------------------------------------


class StagePlace(SQLModel, table=True):
    """A stage place (internship vacancy) offered by an employer."""

    __tablename__ = "stage_place"
    __table_args__ = (
        CheckConstraint(_in("status", PLACE_STATUSES), name="ck_place_status"),
        CheckConstraint("hours_per_week IS NULL OR (hours_per_week > 0 AND hours_per_week <= 50)", name="ck_place_hours"),
        Index("ix_stage_place_updated_at", "updated_at"),
        CheckConstraint("places >= 1 AND places <= 50", name="ck_place_places"),
        CheckConstraint("duration_weeks IS NULL OR (duration_weeks >= 1 AND duration_weeks <= 52)", name="ck_place_duration"),
        CheckConstraint("dutch_level IS NULL OR " + _in("dutch_level", DUTCH_LEVELS), name="ck_place_dutch"),
        Index("ix_stage_place_status", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    employer_id: int = Field(foreign_key="employer.id", index=True)
    title: str = Field(max_length=200)
    title_esco_uri: str | None = Field(default=None, max_length=200)  # the ESCO occupation of `occupation`, else of the title
    occupation: str | None = Field(default=None, max_length=120)  # the occupation the employer chose; the title when empty
    description: str | None = text_column()
    tasks: str | None = text_column()
    sector: str | None = Field(default=None, max_length=40)
    postal_code: str | None = Field(default=None, max_length=4)
    hours_per_week: int | None = None
    schedule: str | None = Field(default=None, max_length=500)
    start_date: date | None = None
    duration_weeks: int | None = None
    places: int = Field(default=1)
    dutch_level: str | None = Field(default=None, max_length=2)
    driving_licence: bool = Field(default=False)
    physical_demands: str | None = Field(default=None, max_length=1000)
    status: str = Field(default="draft", max_length=20)
    published_at: datetime | None = None
    expires_at: datetime | None = None
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class PlaceSkill(SQLModel, table=True):
    """A skill a stage place asks for: required or nice-to-have, with a minimum level."""

    __tablename__ = "place_skill"
    __table_args__ = (CheckConstraint("min_level >= 1 AND min_level <= 4", name="ck_place_skill_level"),)
    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="stage_place.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    taxonomy_id: str | None = Field(default=None, max_length=80)
    required: bool = Field(default=True)
    min_level: int = Field(default=1)
    position: int = Field(default=0)


class CostSheet(SQLModel, table=True):
    """The cost & expectation sheet (kosten- en verwachtingenfiche) of one stage place."""

    __tablename__ = "cost_sheet"
    __table_args__ = (
        UniqueConstraint("place_id", name="uq_cost_sheet_place"),
        CheckConstraint("wage_mode IN ('none', 'hour', 'month')", name="ck_sheet_wage_mode"),
        CheckConstraint("wage_amount IS NULL OR wage_amount >= 0", name="ck_sheet_wage_amount"),
        CheckConstraint("mentor_hours_per_week IS NULL OR mentor_hours_per_week >= 0", name="ck_sheet_mentor_hours"),
        CheckConstraint("mentor_hourly_cost IS NULL OR mentor_hourly_cost >= 0", name="ck_sheet_mentor_cost"),
        CheckConstraint("intention IS NULL OR intention IN ('hire', 'probably', 'no')", name="ck_sheet_intention"),
    )
    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="stage_place.id", ondelete="CASCADE")
    wage_mode: str = Field(default="none", max_length=10)
    wage_amount: float | None = None
    wage_payer: str = Field(default="stage_employer", max_length=20)
    mentor_hours_per_week: float | None = None
    mentor_hourly_cost: float | None = None
    mentor_payer: str = Field(default="stage_employer", max_length=20)
    coach_visits: str | None = Field(default=None, max_length=500)
    se_support: str | None = text_column()
    mentor_name: str | None = Field(default=None, max_length=200)
    first_day_plan: str | None = text_column()
    feedback_moments: str | None = text_column()
    employer_tasks_schedule: str | None = text_column()
    participant_tasks: str | None = text_column()
    participant_pace: str | None = text_column()
    participant_hours: str | None = Field(default=None, max_length=500)
    participant_language: str | None = Field(default=None, max_length=500)
    safety_rules: str | None = text_column()
    intention: str | None = Field(default=None, max_length=10)
    contract_type: str | None = Field(default=None, max_length=100)
    checklist: list | None = json_column(nullable=True)
    updated_at: datetime = Field(default_factory=utcnow)


class CostLine(SQLModel, table=True):
    """One cost line on a sheet (onboarding, work clothes, travel, other), with who pays it."""

    __tablename__ = "cost_line"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="ck_cost_line_amount"),
        CheckConstraint(_in("payer", PAYERS), name="ck_cost_line_payer"),
        CheckConstraint("period IN ('once', 'month', 'week')", name="ck_cost_line_period"),
    )
    id: int | None = Field(default=None, primary_key=True)
    sheet_id: int = Field(foreign_key="cost_sheet.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=20)  # onboarding | clothing | travel | other
    label: str = Field(max_length=200)
    amount: float = Field(default=0)
    period: str = Field(default="once", max_length=10)
    payer: str = Field(default="stage_employer", max_length=20)
    position: int = Field(default=0)


class SheetPremium(SQLModel, table=True):
    """A premium that may apply, chosen on a sheet from the reference data."""

    __tablename__ = "sheet_premium"
    __table_args__ = (UniqueConstraint("sheet_id", "premium_id", name="uq_sheet_premium"),)
    id: int | None = Field(default=None, primary_key=True)
    sheet_id: int = Field(foreign_key="cost_sheet.id", index=True, ondelete="CASCADE")
    premium_id: int = Field(foreign_key="premium.id")


# --- participants, trajectories and evaluations ---------------------------------------------


class Participant(SQLModel, table=True):
    """A target-group worker on a doorstroomtraject, guided by a coach."""

    __table_args__ = (
        CheckConstraint(_in("consent_level", CONSENT_LEVELS), name="ck_participant_consent"),
        CheckConstraint("dutch_level IS NULL OR " + _in("dutch_level", DUTCH_LEVELS), name="ck_participant_dutch"),
        CheckConstraint("max_distance_km IS NULL OR (max_distance_km >= 0 AND max_distance_km <= 300)", name="ck_participant_distance"),
        CheckConstraint("hours_per_week IS NULL OR (hours_per_week > 0 AND hours_per_week <= 50)", name="ck_participant_hours"),
    )
    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", unique=True)
    coach_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    company_id: int | None = Field(default=None, foreign_key="social_economy_company.id")
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    postal_code: str | None = Field(default=None, max_length=4)
    max_distance_km: int | None = Field(default=25)
    hours_per_week: int | None = None
    dutch_level: str | None = Field(default=None, max_length=2)
    driving_licence: bool = Field(default=False)
    preferred_sectors: list | None = json_column(nullable=True)
    occupations: list | None = json_column(nullable=True)  # occupation wishes (beroepswensen), free text or ESCO labels
    limitations: str | None = text_column()
    support_needs: str | None = text_column()
    goals: str | None = text_column()
    consent_level: str = Field(default="skills", max_length=20)
    engine_suggestions_visible: bool = Field(default=False)
    active: bool = Field(default=True)
    last_contact_at: datetime | None = None
    erasure_requested_at: datetime | None = None
    anonymised_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ParticipantSkill(SQLModel, table=True):
    """A skill of a participant, with a level from 1 to 4 and where it came from."""

    __tablename__ = "participant_skill"
    __table_args__ = (
        CheckConstraint("level >= 1 AND level <= 4", name="ck_participant_skill_level"),
        CheckConstraint(_in("source", SKILL_SOURCES), name="ck_participant_skill_source"),
    )
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    taxonomy_id: str | None = Field(default=None, max_length=80)
    level: int = Field(default=2)
    source: str = Field(default="coach", max_length=20)


class ParticipantNote(SQLModel, table=True):
    """A coach's note on a participant's timeline."""

    __tablename__ = "participant_note"
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="user_account.id")
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Trajectory(SQLModel, table=True):
    """A participant's doorstroomtraject through the four phases."""

    __table_args__ = (
        CheckConstraint(_in("current_phase", PHASES), name="ck_trajectory_phase"),
        CheckConstraint("outcome IS NULL OR outcome IN ('hired', 'not_hired', 'stopped')", name="ck_trajectory_outcome"),
    )
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    coach_id: int | None = Field(default=None, foreign_key="user_account.id")
    current_phase: str = Field(default="voortraject", max_length=20)
    started_on: date
    ended_on: date | None = None
    outcome: str | None = Field(default=None, max_length=20)
    hired_on: date | None = None
    still_employed_at_end: bool | None = None
    contract_type: str | None = Field(default=None, max_length=100)


class PhasePeriod(SQLModel, table=True):
    """One phase of a trajectory with its start, due date and end."""

    __tablename__ = "phase_period"
    __table_args__ = (CheckConstraint(_in("phase", PHASES), name="ck_phase_period_phase"),)
    id: int | None = Field(default=None, primary_key=True)
    trajectory_id: int = Field(foreign_key="trajectory.id", index=True, ondelete="CASCADE")
    phase: str = Field(max_length=20)
    started_on: date
    due_on: date
    ended_on: date | None = None
    reason: str | None = Field(default=None, max_length=500)


class HoldPeriod(SQLModel, table=True):
    """A period in which a phase is on hold; it stops the phase clock."""

    __tablename__ = "hold_period"
    id: int | None = Field(default=None, primary_key=True)
    phase_period_id: int = Field(foreign_key="phase_period.id", index=True, ondelete="CASCADE")
    started_on: date
    ended_on: date | None = None
    reason: str | None = Field(default=None, max_length=500)


class Evaluation(SQLModel, table=True):
    """A uniform doorstroom evaluation; once signed off it can only be followed by a new one."""

    __table_args__ = (
        CheckConstraint("decision IS NULL OR " + _in("decision", EVALUATION_DECISIONS), name="ck_evaluation_decision"),
    )
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    trajectory_id: int | None = Field(default=None, foreign_key="trajectory.id")
    coach_id: int | None = Field(default=None, foreign_key="user_account.id")
    held_on: date
    attendees: str | None = Field(default=None, max_length=500)
    scores: dict | None = json_column(nullable=True)  # rubric item -> {"score": int, "motivation": str}
    decision: str | None = Field(default=None, max_length=30)
    re_evaluation_on: date | None = None
    summary: str | None = text_column()
    signed_off_at: datetime | None = None
    signed_off_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    previous_id: int | None = Field(default=None, foreign_key="evaluation.id")
    created_at: datetime = Field(default_factory=utcnow)


# --- matching and brokering -----------------------------------------------------------------


class MatchSuggestion(SQLModel, table=True):
    """A stored engine score for one participant and one place, with its explanation."""

    __tablename__ = "match_suggestion"
    __table_args__ = (
        UniqueConstraint("participant_id", "place_id", name="uq_match_pair"),
        CheckConstraint("score >= 0 AND score <= 100", name="ck_match_score"),
        Index("ix_match_place_score", "place_id", "score"),
    )
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    place_id: int = Field(foreign_key="stage_place.id", ondelete="CASCADE")
    score: float
    excluded: bool = Field(default=False)
    explanation: dict | None = json_column(nullable=True)
    engine_version: str = Field(max_length=20)
    computed_at: datetime = Field(default_factory=utcnow)
    released_to_participant: bool = Field(default=False)
    content_hash: str | None = Field(default=None, max_length=32)  # digest of score, exclusion and explanation


class MatchInput(SQLModel, table=True):
    """What a participant's stored suggestions were computed from: a digest of the engine, the participant's engine
    input and declined places, and the digest of the open places at that time. The nightly refresh skips a
    participant whose inputs are unchanged and, when only a few places changed, rebuilds only their pairs."""

    __tablename__ = "match_input"
    participant_id: int = Field(primary_key=True, foreign_key="participant.id", ondelete="CASCADE")
    fingerprint: str = Field(max_length=32)
    places_digest: str = Field(max_length=32)


class MatchPlaceInput(SQLModel, table=True):
    """The open places as the last complete nightly refresh saw them: one digest of each place's engine input."""

    __tablename__ = "match_place_input"
    place_id: int = Field(primary_key=True)  # no foreign key: a deleted place must still show up as changed
    fingerprint: str = Field(max_length=32)


#: proposal states that are still open: one open proposal per participant and place (a partial unique index)
OPEN_PROPOSAL_STATES = ("proposed", "participant_agreed", "employer_interested", "intake_planned", "stage_agreed", "stage_running")
_OPEN_PROPOSAL = _in("state", OPEN_PROPOSAL_STATES)


class Proposal(SQLModel, table=True):
    """A brokered match: a coach proposes a stage place to a participant and its employer."""

    __table_args__ = (
        CheckConstraint(_in("state", PROPOSAL_STATES), name="ck_proposal_state"),
        Index("ix_proposal_place_state", "place_id", "state"),
        Index("ix_proposal_state", "state"),
        Index("ix_proposal_created_at", "created_at"),
        Index("uq_proposal_open_pair", "participant_id", "place_id", unique=True,
              sqlite_where=text(_OPEN_PROPOSAL), postgresql_where=text(_OPEN_PROPOSAL)),
    )
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    place_id: int = Field(foreign_key="stage_place.id", index=True)
    coach_id: int | None = Field(default=None, foreign_key="user_account.id")
    state: str = Field(default="proposed", max_length=30)
    score: float | None = None
    participant_consented_at: datetime | None = None
    motivation: str | None = Field(default=None, max_length=1000)  # the coach's motivation: the employer reads it
    decline_reason: str | None = Field(default=None, max_length=40)
    decline_note: str | None = Field(default=None, max_length=2000)  # shared: only text the decliner wrote for the other side
    declined_by: str | None = Field(default=None, max_length=20)
    stage_start: date | None = None
    stage_end: date | None = None
    # the furthest funnel step any of its events reached (REACHED_STEP), kept by the listener below so the
    # monitoring funnel reads one row per proposal instead of joining every event
    reached_step: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


# How far along the monitoring funnel a proposal state is: 0 proposed, 1 intake, 2 stage, 3 hired. A change here
# needs a migration that recomputes proposal.reached_step (see 0009).
REACHED_STEP = {
    "intake_planned": 1,
    "stage_agreed": 1,
    "stage_running": 2,
    "stage_completed": 2,
    "not_hired": 2,
    "hired": 3,
}


class ProposalEvent(SQLModel, table=True):
    """One state transition of a proposal: who, when, from which state to which."""

    __tablename__ = "proposal_event"
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True, ondelete="CASCADE")
    from_state: str | None = Field(default=None, max_length=30)
    to_state: str = Field(max_length=30)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    note: str | None = Field(default=None, max_length=2000)
    data: dict | None = json_column(nullable=True)
    at: datetime = Field(default_factory=utcnow)


@event.listens_for(ProposalEvent, "after_insert")
def _raise_reached_step(_mapper, connection, target: ProposalEvent) -> None:
    step = REACHED_STEP.get(target.to_state, 0)
    if step:
        table = Proposal.__table__
        connection.execute(
            table.update().where(table.c.id == target.proposal_id, table.c.reached_step < step).values(reached_step=step)
        )


MEETING_STATUSES = ("option", "confirmed", "declined", "cancelled")
MEETING_OUTCOMES = ("continue", "not_retained")


class Meeting(SQLModel, table=True):
    """An intake meeting (kennismakingsgesprek) of a proposal: a time slot the employer offers, then the one agreed.

    The employer offers 1–3 slots (status ``option``); the coach or participant picks one (``confirmed``; the other
    options become ``declined``) or asks for other times (all ``declined``). A confirmed meeting keeps its ``uid``
    when it moves (``sequence`` goes up), so calendars update the same event; it ends ``cancelled`` or with an outcome.
    """

    __table_args__ = (
        CheckConstraint(_in("status", MEETING_STATUSES), name="ck_meeting_status"),
        CheckConstraint("ends_at > starts_at", name="ck_meeting_end_after_start"),
        CheckConstraint("outcome IS NULL OR " + _in("outcome", MEETING_OUTCOMES), name="ck_meeting_outcome"),
        CheckConstraint("sequence >= 0", name="ck_meeting_sequence"),
        Index("uq_meeting_confirmed_per_proposal", "proposal_id", unique=True,
              sqlite_where=text("status = 'confirmed'"), postgresql_where=text("status = 'confirmed'")),
        Index("ix_meeting_status_starts", "status", "starts_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True, ondelete="CASCADE")
    uid: str = Field(max_length=120, unique=True)
    status: str = Field(default="option", max_length=20)
    starts_at: datetime
    ends_at: datetime
    location: str = Field(max_length=500)  # an address or a video link
    contact_person: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=1000)  # from the employer, read by coach and participant
    sequence: int = Field(default=0)
    proposed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    confirmed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    confirmed_at: datetime | None = None
    change_reason: str | None = Field(default=None, max_length=500)  # why it moved or was cancelled (all three read it)
    changed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    outcome: str | None = Field(default=None, max_length=20)
    outcome_reason: str | None = Field(default=None, max_length=40)
    outcome_note: str | None = Field(default=None, max_length=1000)  # the employer's words for the coach
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


MESSAGE_SIDES = ("coach", "employer")


class ProposalMessage(SQLModel, table=True):
    """A message in the conversation between the coach and the employer about one proposal (never the participant)."""

    __tablename__ = "proposal_message"
    __table_args__ = (
        CheckConstraint(_in("author_side", MESSAGE_SIDES), name="ck_message_side"),
        Index("ix_proposal_message_proposal_at", "proposal_id", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="user_account.id")
    author_side: str = Field(max_length=10)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None  # when the other side first read it


class ProfileView(SQLModel, table=True):
    """A view of a participant's profile by an employer user, shown to the participant."""

    __tablename__ = "profile_view"
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    viewer_id: int | None = Field(default=None, foreign_key="user_account.id")
    employer_id: int | None = Field(default=None, foreign_key="employer.id")
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    at: datetime = Field(default_factory=utcnow)


class PlaceAnswer(SQLModel, table=True):
    """A participant's answer to a suggested place without a proposal ("Ik wil dit" / "Liever niet"), for the coach."""

    __tablename__ = "place_answer"
    __table_args__ = (
        UniqueConstraint("participant_id", "place_id", name="uq_place_answer_pair"),
        CheckConstraint("answer IN ('interested', 'not_interested')", name="ck_place_answer_answer"),
    )
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    place_id: int = Field(foreign_key="stage_place.id", ondelete="CASCADE")
    answer: str = Field(max_length=20)
    reason: str | None = Field(default=None, max_length=40)
    answered_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    answered_at: datetime = Field(default_factory=utcnow)


# --- operations ---------------------------------------------------------------------------


class Notification(SQLModel, table=True):
    """An in-app notification; its text is rendered in the reader's language from kind and payload."""

    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE")
    kind: str = Field(max_length=60)
    payload: dict | None = json_column(nullable=True)  # ids only; names are looked up when it is shown
    link: str | None = Field(default=None, max_length=500)  # legacy rows only; new ones store the endpoint
    endpoint: str | None = Field(default=None, max_length=80)
    endpoint_args: dict | None = json_column(nullable=True)
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None


class OutboxEmail(SQLModel, table=True):
    """An e-mail waiting to be delivered (or delivered) through the outbox."""

    __tablename__ = "outbox_email"
    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    language: str = Field(default="nl", max_length=2)
    calendar: str | None = text_column()  # an iCalendar (RFC 5545) invitation sent as a text/calendar part
    calendar_method: str | None = Field(default=None, max_length=10)  # REQUEST or CANCEL
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=1000)


class AuditLog(SQLModel, table=True):
    """An append-only record of who did what and when."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_at", "at"),
        Index("ix_audit_actor_at", "actor_id", "at"),
        Index("ix_audit_action", "action"),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    action: str = Field(max_length=80)
    object_type: str | None = Field(default=None, max_length=40)
    object_id: str | None = Field(default=None, max_length=40)
    detail: dict | None = json_column(nullable=True)
    ip: str | None = Field(default=None, max_length=64)


#: The database itself refuses to change or delete audit rows (the ORM guard in services/admin.py is the
#: first line). The same statements run in migration 0002 and, for create_all, after the table is created.
AUDIT_APPEND_ONLY_DDL: dict[str, tuple[str, ...]] = {
    "postgresql": (
        "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    ),
    "sqlite": (
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    ),
}
for _dialect, _statements in AUDIT_APPEND_ONLY_DDL.items():
    for _statement in _statements:
        event.listen(AuditLog.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))


class JobRun(SQLModel, table=True):
    """One firing of a scheduled job; unique per (job, scheduled time) so it never runs twice."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job_name", "scheduled_for", name="uq_job_run_firing"),)
    id: int | None = Field(default=None, primary_key=True)
    job_name: str = Field(max_length=80)
    scheduled_for: datetime
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    outcome: str = Field(default="running", max_length=20)  # running | ok | failed
    detail: str | None = Field(default=None, max_length=2000)


class ReminderSent(SQLModel, table=True):
    """A reminder already sent for a subject and threshold, so each is sent exactly once."""

    __tablename__ = "reminder_sent"
    __table_args__ = (UniqueConstraint("kind", "subject_id", "threshold", name="uq_reminder_sent"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    subject_id: int
    threshold: str = Field(max_length=40)
    sent_at: datetime = Field(default_factory=utcnow)


# --- open API ------------------------------------------------------------------------------


API_TOKEN_SCOPES = ("read", "read_write")


class ApiToken(SQLModel, table=True):
    """A personal access token for the API; only its hash is stored, with scope, expiry, last use and a rate window."""

    __tablename__ = "api_token"
    __table_args__ = (CheckConstraint(_in("scope", API_TOKEN_SCOPES), name="ck_api_token_scope"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    scope: str = Field(default="read", max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    window_started_at: datetime | None = None
    window_count: int = Field(default=0)


class WebhookEndpoint(SQLModel, table=True):
    """An HTTPS address of an employer's system that receives signed events."""

    __tablename__ = "webhook_endpoint"
    id: int | None = Field(default=None, primary_key=True)
    employer_id: int = Field(foreign_key="employer.id", index=True, ondelete="CASCADE")
    url: str = Field(max_length=500)
    # the signing secret, Fernet-encrypted with a key derived from SECRET_KEY (web/services/secret_box.py); never in the clear
    secret_encrypted: str = Field(max_length=500)
    events: list | None = json_column(nullable=True)
    active: bool = Field(default=True)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)


class WebhookDelivery(SQLModel, table=True):
    """One event for one endpoint: the outbox row the scheduler sends, retries with backoff, and logs."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_due", "delivered_at", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int = Field(foreign_key="webhook_endpoint.id", index=True, ondelete="CASCADE")
    event_id: str = Field(max_length=40, unique=True)
    event: str = Field(max_length=60)
    payload: dict | None = json_column(nullable=True)
    created_at: datetime = Field(default_factory=utcnow)
    next_attempt_at: datetime | None = Field(default_factory=utcnow)
    attempts: int = Field(default=0)
    delivered_at: datetime | None = None
    failed_at: datetime | None = None
    last_status: int | None = None
    last_error: str | None = Field(default=None, max_length=1000)


class CalendarFeed(SQLModel, table=True):
    """A user's private iCalendar feed: the secret in its address is stored hashed and can be revoked."""

    __tablename__ = "calendar_feed"
    __table_args__ = (UniqueConstraint("user_id", name="uq_calendar_feed_user"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
