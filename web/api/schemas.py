"""The API's request and response bodies as pydantic models: they validate what comes in and describe the OpenAPI document.

Request bodies refuse unknown fields. Types and shapes are checked here; the rules of the pages (lengths, ranges,
postal codes, dates, no HTML) are checked by the same forms the pages use, so the messages are the same.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from web.labels import SKILL_GROUP_LABELS
from web.models import DUTCH_LEVELS, PAYERS, PHASES, PROPOSAL_STATES, SECTORS
from web.services.cost_sheets import COST_KINDS, COST_PERIODS, INTENTIONS, WAGE_MODES
from web.services.occupations import MAX_WISH_LENGTH, MAX_WISHES
from web.services.places import PLACE_TRANSITIONS
from web.services.proposals import DECLINE_REASONS
from web.services.settings import SUCCESS_RULES

Sector = Literal[SECTORS]  # type: ignore[valid-type]
DutchLevel = Literal[DUTCH_LEVELS]  # type: ignore[valid-type]
Payer = Literal[PAYERS]  # type: ignore[valid-type]
PlaceAction = Literal[tuple(PLACE_TRANSITIONS)]  # type: ignore[valid-type]
ProposalState = Literal[PROPOSAL_STATES]  # type: ignore[valid-type]
DeclineReason = Literal[DECLINE_REASONS]  # type: ignore[valid-type]
Phase = Literal[PHASES]  # type: ignore[valid-type]
Text200 = Field(default=None, max_length=200)
WISHES_HELP = (f"occupation wishes (beroepswensen): at most {MAX_WISHES}, each at most {MAX_WISH_LENGTH} characters, free text in "
               "Dutch or English or an ESCO occupation label; they replace the list when given, [] clears it")
OCCUPATION_HELP = ("the place's occupation: a Dutch ESCO occupation label (typos tolerated) or free text, at most 120 "
                   "characters; when empty the occupation is read from the title")


class Body(BaseModel):
    """A request body: unknown fields are an error."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """A response body."""

    model_config = ConfigDict(from_attributes=True)


# --- common ------------------------------------------------------------------------------------------


class FieldProblem(Out):
    pointer: str = Field(description="JSON pointer to the field in the request, e.g. /skills/0/name")
    field: str | None = None
    code: str | None = None
    detail: str


class Problem(Out):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str | None = None
    code: str | None = None
    errors: list[FieldProblem] | None = None


class PageQuery(BaseModel):
    page: int = Field(default=1, ge=1, le=100000)
    per_page: int = Field(default=25, ge=1, le=100)


class Me(Out):
    id: int
    role: str
    full_name: str
    language: str
    token_scope: str
    token_expires_at: datetime


# --- employer: places --------------------------------------------------------------------------------


class SkillIn(Body):
    name: str = Field(max_length=200)
    required: bool = True
    min_level: int = Field(default=2, ge=1, le=4)


class SkillOut(Out):
    name: str
    required: bool
    min_level: int
    taxonomy_id: str | None = None


class PlaceFields(Body):
    title: str | None = Text200
    description: str | None = Field(default=None, max_length=5000)
    tasks: str | None = Field(default=None, max_length=5000)
    sector: Sector | None = None
    postal_code: str | None = Field(default=None, max_length=4)
    hours_per_week: int | None = None
    schedule: str | None = Field(default=None, max_length=500)
    start_date: date | None = None
    duration_weeks: int | None = None
    places: int | None = None
    dutch_level: DutchLevel | None = None
    driving_licence: bool | None = None
    physical_demands: str | None = Field(default=None, max_length=1000)
    occupation: str | None = Field(default=None, max_length=120, description=OCCUPATION_HELP)
    skills: list[SkillIn] | None = Field(default=None, max_length=40)


class PlaceCreate(PlaceFields):
    """A new place (a draft); publish it with the action ``publish`` once it and its sheet are complete."""

    title: str = Field(max_length=200)


class PlaceUpdate(PlaceFields):
    """The fields to change; the others keep their value. Send the place's ETag in If-Match."""


class PlaceOut(Out):
    id: int
    title: str
    description: str | None
    tasks: str | None
    sector: str | None
    postal_code: str | None
    hours_per_week: int | None
    schedule: str | None
    start_date: date | None
    duration_weeks: int | None
    places: int
    dutch_level: str | None
    driving_licence: bool
    physical_demands: str | None
    occupation: str | None = Field(description=OCCUPATION_HELP)
    status: str
    published_at: datetime | None
    expires_at: datetime | None
    created_at: datetime
    updated_at: datetime
    skills: list[SkillOut]
    actions: list[str] = Field(description="status actions open in the current status")
    publish_problems: list[str] = Field(description="what is still missing before the place can be published")
    open_proposals: int | None = None


class PlaceList(Out):
    items: list[PlaceOut]
    page: int
    per_page: int
    total: int


class PlaceListQuery(PageQuery):
    status: Literal["draft", "published", "paused", "filled", "closed", "expired"] | None = None
    sort: Literal["updated_at", "-updated_at", "title", "-title", "expires_at", "-expires_at"] = "-updated_at"


class PlaceActionIn(Body):
    action: PlaceAction


# --- employer: the cost & expectation sheet ----------------------------------------------------------


class CostLineIn(Body):
    kind: Literal[COST_KINDS] = "other"  # type: ignore[valid-type]
    label: str = Field(max_length=200)
    amount: float | None = None
    period: Literal[COST_PERIODS] = "once"  # type: ignore[valid-type]
    payer: Payer = "stage_employer"


class CostLineOut(Out):
    kind: str
    label: str
    amount: float
    period: str
    payer: str


class ChecklistRow(Body):
    document: str = Field(max_length=200)
    signer: str | None = Field(default=None, max_length=200)
    due: str | None = Field(default=None, max_length=100)


class SheetUpdate(Body):
    """The sheet fields to change; lists (lines, premium_ids, checklist) replace the stored list when given."""

    wage_mode: Literal[WAGE_MODES] | None = None  # type: ignore[valid-type]
    wage_amount: float | None = None
    wage_payer: Payer | None = None
    mentor_name: str | None = Field(default=None, max_length=200)
    mentor_hours_per_week: float | None = None
    mentor_hourly_cost: float | None = None
    mentor_payer: Payer | None = None
    coach_visits: str | None = Field(default=None, max_length=500)
    se_support: str | None = Field(default=None, max_length=5000)
    first_day_plan: str | None = Field(default=None, max_length=5000)
    feedback_moments: str | None = Field(default=None, max_length=5000)
    employer_tasks_schedule: str | None = Field(default=None, max_length=5000)
    participant_tasks: str | None = Field(default=None, max_length=5000)
    participant_pace: str | None = Field(default=None, max_length=5000)
    participant_hours: str | None = Field(default=None, max_length=500)
    participant_language: str | None = Field(default=None, max_length=500)
    safety_rules: str | None = Field(default=None, max_length=5000)
    intention: Literal[INTENTIONS] | None = None  # type: ignore[valid-type]
    contract_type: str | None = Field(default=None, max_length=100)
    lines: list[CostLineIn] | None = Field(default=None, max_length=30)
    premium_ids: list[int] | None = Field(default=None, max_length=50)
    checklist: list[ChecklistRow] | None = Field(default=None, max_length=30)


class PayerTotalOut(Out):
    per_month: float | None
    once: float | None
    whole_stage: float | None


class PremiumRef(Out):
    id: int
    code: str
    name: str


class SheetOut(Out):
    place_id: int
    wage_mode: str
    wage_amount: float | None
    wage_payer: str
    mentor_name: str | None
    mentor_hours_per_week: float | None
    mentor_hourly_cost: float | None
    mentor_payer: str
    coach_visits: str | None
    se_support: str | None
    first_day_plan: str | None
    feedback_moments: str | None
    employer_tasks_schedule: str | None
    participant_tasks: str | None
    participant_pace: str | None
    participant_hours: str | None
    participant_language: str | None
    safety_rules: str | None
    intention: str | None
    contract_type: str | None
    lines: list[CostLineOut]
    premiums: list[PremiumRef]
    checklist: list[dict[str, Any]]
    totals_per_payer: dict[str, PayerTotalOut] = Field(description="computed: per month, once and for the whole stage, per payer")
    total: PayerTotalOut
    updated_at: datetime


# --- employer: proposals -----------------------------------------------------------------------------


class CandidateContact(Out):
    name: str
    email: str | None
    phone: str | None


class CandidateSkill(Out):
    name: str
    level: int


class CandidateOut(Out):
    """What the employer may see of the participant: a first name only with consent, contact data only after their yes."""

    name: str
    named: bool
    skills: list[CandidateSkill]
    hours_per_week: int | None
    dutch_level: str | None
    driving_licence: bool
    distance_km: int | None
    contact: CandidateContact | None


class EmployerProposalOut(Out):
    id: int
    state: str
    place_id: int
    place_title: str
    created_at: datetime
    updated_at: datetime
    intake_options: list[str] | None
    answers: list[str] = Field(description="the answers the employer may give now")
    candidate: CandidateOut


class EmployerProposalList(Out):
    items: list[EmployerProposalOut]
    page: int
    per_page: int
    total: int


class ProposalListQuery(PageQuery):
    place_id: int | None = Field(default=None, ge=1, le=2147483647)
    state: ProposalState | None = None


class AnswerIn(Body):
    answer: Literal["interested", "intake", "decline"]
    intake_options: list[datetime] | None = Field(default=None, max_length=3, description="Start times of 1-3 intake slots (timezone-aware).")
    duration_minutes: int | None = Field(default=None, ge=15, le=480, description="Length of each slot (default 60).")
    location: str | None = Field(default=None, max_length=500, description="Address or video link (default: the organisation's address).")
    contact_person: str | None = Field(default=None, max_length=200)
    reason: DeclineReason | None = None
    note: str | None = Field(default=None, max_length=2000)


# --- employer: webhooks ------------------------------------------------------------------------------


WebhookEvent = Literal["proposal.created", "proposal.updated", "meeting.confirmed", "place.expiring"]


class WebhookCreate(Body):
    url: str = Field(max_length=500, description="an https:// address of your system")
    events: list[WebhookEvent] = Field(min_length=1, max_length=10)


class WebhookOut(Out):
    id: int
    url: str
    events: list[str]
    active: bool
    created_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="the signing secret, shown only now (Stagebrug keeps it encrypted and never shows it again)")


class WebhookRotate(Body):
    """An empty object: the new secret is made by Stagebrug."""


class WebhookList(Out):
    items: list[WebhookOut]


class DeliveryOut(Out):
    id: int
    event_id: str
    event: str
    created_at: datetime
    attempts: int
    delivered_at: datetime | None
    failed_at: datetime | None
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None


class DeliveryList(Out):
    items: list[DeliveryOut]
    page: int
    per_page: int
    total: int


# --- coach -------------------------------------------------------------------------------------------


class ParticipantSkillIn(Body):
    name: str = Field(max_length=200)
    level: int = Field(default=2, ge=1, le=4)


class ParticipantSkillOut(Out):
    name: str
    level: int
    taxonomy_id: str | None
    source: str


class ParticipantOut(Out):
    id: int
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    postal_code: str | None
    max_distance_km: int | None
    hours_per_week: int | None
    dutch_level: str | None
    driving_licence: bool
    preferred_sectors: list[str] | None
    occupations: list[str] | None = Field(description=WISHES_HELP)
    limitations: str | None
    support_needs: str | None
    goals: str | None
    consent_level: str
    coach_id: int | None
    phase: str | None
    skills: list[ParticipantSkillOut]
    updated_at: datetime


class ParticipantList(Out):
    items: list[ParticipantOut]
    page: int
    per_page: int
    total: int


class ParticipantListQuery(PageQuery):
    phase: Phase | None = None
    q: str | None = Field(default=None, max_length=100)
    sort: Literal["name", "-name", "updated_at", "-updated_at", "last_contact_at", "-last_contact_at"] = Field(
        default="name", description="by last and first name (default), last change or last contact (those without one last)")


class ParticipantUpdate(Body):
    """The profile fields to change; ``skills`` replaces the skill list when given. Send the ETag in If-Match."""

    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    postal_code: str | None = Field(default=None, max_length=4)
    max_distance_km: int | None = None
    hours_per_week: int | None = None
    dutch_level: DutchLevel | None = None
    driving_licence: bool | None = None
    preferred_sectors: list[Sector] | None = Field(default=None, max_length=len(SECTORS))
    occupations: list[Annotated[str, Field(max_length=MAX_WISH_LENGTH)]] | None = Field(
        default=None, max_length=MAX_WISHES, description=WISHES_HELP)
    limitations: str | None = Field(default=None, max_length=4000)
    support_needs: str | None = Field(default=None, max_length=4000)
    goals: str | None = Field(default=None, max_length=4000)
    skills: list[ParticipantSkillIn] | None = Field(default=None, max_length=40)


class PlaceMatchOut(Out):
    place_id: int
    title: str
    employer_id: int
    score: float
    excluded: bool
    explanation: dict[str, Any] | None
    computed_at: datetime


class PlaceMatchList(Out):
    items: list[PlaceMatchOut]


class ParticipantMatchOut(Out):
    participant_id: int
    name: str
    score: float
    excluded: bool
    explanation: dict[str, Any] | None
    computed_at: datetime


class ParticipantMatchList(Out):
    items: list[ParticipantMatchOut]


class MatchQuery(BaseModel):
    include_excluded: bool = False


class CoachProposalOut(Out):
    id: int
    participant_id: int
    place_id: int
    place_title: str
    state: str
    score: float | None
    stage_start: date | None
    stage_end: date | None
    created_at: datetime
    updated_at: datetime
    allowed_targets: list[str]


class CoachProposalList(Out):
    items: list[CoachProposalOut]
    page: int
    per_page: int
    total: int


class ProposalCreate(Body):
    participant_id: int = Field(ge=1, le=2147483647)
    place_id: int = Field(ge=1, le=2147483647)
    note: str | None = Field(default=None, max_length=2000, description="An internal note on the proposal's first event (coaches only).")
    motivation: str | None = Field(default=None, max_length=1000, description="Why the candidate fits: the employer reads this.")


class TransitionIn(Body):
    to_state: ProposalState
    reason: DeclineReason | None = None
    note: str | None = Field(default=None, max_length=2000)
    stage_start: date | None = None
    stage_end: date | None = None


# --- admin -------------------------------------------------------------------------------------------


class SkillTermOut(Out):
    id: str
    label_nl: str
    label_en: str
    variants_nl: list[str] | None
    variants_en: list[str] | None
    esco_uri: str | None
    group: str
    active: bool


class SkillTermList(Out):
    items: list[SkillTermOut]
    page: int
    per_page: int
    total: int


class SkillTermQuery(PageQuery):
    q: str | None = Field(default=None, max_length=100)
    group: str | None = Field(default=None, max_length=40)
    active: bool | None = Field(default=None, description="only active (true) or deactivated (false) entries")


SkillGroup = Literal[tuple(SKILL_GROUP_LABELS)]  # type: ignore[valid-type]


class SkillTermUpdate(Body):
    """The vocabulary fields to change (the same checks as the skill form); ``active: false`` deactivates the entry. Send the ETag in If-Match."""

    label_nl: str | None = Field(default=None, max_length=200)
    label_en: str | None = Field(default=None, max_length=200)
    variants_nl: list[Annotated[str, Field(max_length=200)]] | None = Field(default=None, max_length=100, description="synonyms and spellings")
    variants_en: list[Annotated[str, Field(max_length=200)]] | None = Field(default=None, max_length=100)
    group: SkillGroup | None = None
    esco_uri: str | None = Field(default=None, max_length=200)
    active: bool | None = Field(default=None, description="false takes the entry out of matching and suggestions; true brings it back")


class SkillTermCreate(SkillTermUpdate):
    """A new vocabulary entry; ``id`` is its fixed code (lower-case letters, digits, - and _), never changed afterwards."""

    id: str = Field(max_length=80)
    label_nl: str = Field(max_length=200)
    label_en: str = Field(max_length=200)
    group: SkillGroup
    active: bool = True


class PremiumOut(Out):
    id: int
    code: str
    name_nl: str
    name_en: str
    conditions_nl: str | None
    conditions_en: str | None
    amount: float | None
    percentage_min: float | None
    percentage_max: float | None
    unit: str | None
    source_url: str | None
    valid_from: date | None
    valid_to: date | None


class PremiumList(Out):
    items: list[PremiumOut]


class PremiumUpdate(Body):
    """The premium fields to change (the same checks as the premium form). Send the ETag in If-Match."""

    code: str | None = Field(default=None, max_length=60)
    name_nl: str | None = Field(default=None, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    conditions_nl: str | None = Field(default=None, max_length=5000)
    conditions_en: str | None = Field(default=None, max_length=5000)
    amount: float | None = None
    percentage_min: float | None = None
    percentage_max: float | None = None
    unit: str | None = Field(default=None, max_length=40)
    source_url: str | None = Field(default=None, max_length=500)
    valid_from: date | None = Field(default=None, ge=date(2000, 1, 1), le=date(2100, 12, 31))
    valid_to: date | None = Field(default=None, ge=date(2000, 1, 1), le=date(2100, 12, 31))


class PremiumCreate(PremiumUpdate):
    """A new premium (the same checks as the premium form)."""

    code: str = Field(max_length=60)
    name_nl: str = Field(max_length=200)
    name_en: str = Field(max_length=200)


class PhaseMaxDays(Out):
    voortraject: int
    jobmatching: int
    stage: int
    nazorg: int


class SuccessDefinition(Out):
    rule: str = Field(description="hired_still_employed or hired")
    target_pct: int = Field(description="the target doorstroom result in percent")


class SettingsValues(Out):
    phase_max_days: PhaseMaxDays = Field(description="maximum days per phase")
    success_definition: SuccessDefinition
    retention_days: int = Field(description="days personal data are kept after a trajectory ends")
    place_expiry_days: int = Field(description="days a published place stays online")


class SettingsOut(Out):
    values: SettingsValues


class PhaseMaxDaysIn(Body):
    voortraject: int | None = Field(default=None, description="1-730")
    jobmatching: int | None = Field(default=None, description="1-730")
    stage: int | None = Field(default=None, description="1-730")
    nazorg: int | None = Field(default=None, description="1-730")


class SuccessDefinitionIn(Body):
    rule: Literal[SUCCESS_RULES] | None = None  # type: ignore[valid-type]
    target_pct: int | None = Field(default=None, description="1-100")


class SettingsUpdate(Body):
    """The settings to change, in the shape ``GET /admin/settings`` answers (the settings form's checks). Send the ETag in If-Match."""

    phase_max_days: PhaseMaxDaysIn | None = None
    success_definition: SuccessDefinitionIn | None = None
    retention_days: int | None = Field(default=None, description="30-3650")
    place_expiry_days: int | None = Field(default=None, description="7-365")


class MonitoringQuery(BaseModel):
    date_from: date | None = Field(default=None, ge=date(2000, 1, 1), le=date(2100, 12, 31))
    date_to: date | None = Field(default=None, ge=date(2000, 1, 1), le=date(2100, 12, 31))


class MonitoringOut(Out):
    date_from: date
    date_to: date
    success_rule: str
    target_pct: float
    started: int
    ended: int
    successes: int
    result_pct: float | None
    outcomes: dict[str, Any]
    phase_times: list[dict[str, Any]]
    funnel: list[Any]
    decline_reasons: list[Any]
