"""The cost & expectation sheet (kosten- en verwachtingenfiche): cost maths, saving, and the PDF.

The cost maths is pure (``CostItem`` in, ``CostSummary`` out, Decimal throughout, cents rounded half-up
at the end); ``cost_items_for`` converts the stored sheet of a place into those items.
A month counts 52/12 weeks; a one-off cost is paid once for the whole stage.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from sqlmodel import Session, delete, select

from web.models import PAYERS, CostLine, CostSheet, Premium, SheetPremium, StagePlace, utcnow
from web.services.audit import current_actor_id, record_audit

WEEKS_PER_MONTH = Decimal(52) / Decimal(12)
CENT = Decimal("0.01")
COST_KINDS = ("onboarding", "clothing", "travel", "other")
COST_PERIODS = ("once", "week", "month")
WAGE_MODES = ("none", "hour", "month")
INTENTIONS = ("hire", "probably", "no")


@dataclass(frozen=True)
class CostItem:
    """One cost of a stage: an amount per period ('once', 'week' or 'month'), and who pays it."""

    label: str
    payer: str
    amount: Decimal
    period: str


@dataclass(frozen=True)
class ItemCost:
    """What one cost item comes to per month (recurring part), once, and for the whole stage."""

    item: CostItem
    per_month: Decimal
    once: Decimal
    whole_stage: Decimal | None


@dataclass(frozen=True)
class PayerTotal:
    per_month: Decimal
    once: Decimal
    whole_stage: Decimal | None


@dataclass(frozen=True)
class CostSummary:
    """Costs per item, per payer and in total; whole-stage figures are None when the duration is unknown."""

    items: tuple[ItemCost, ...]
    per_payer: dict[str, PayerTotal] = field(default_factory=dict)
    total: PayerTotal = PayerTotal(Decimal(0), Decimal(0), Decimal(0))
    duration_weeks: int | None = None


def _cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


def _raw_item_cost(item: CostItem, duration_weeks: int | None) -> tuple[Decimal, Decimal, Decimal | None]:
    amount = Decimal(item.amount)
    if item.period == "once":
        monthly, once = Decimal(0), amount
        stage = amount
    elif item.period == "week":
        monthly, once = amount * WEEKS_PER_MONTH, Decimal(0)
        stage = amount * duration_weeks if duration_weeks else None
    elif item.period == "month":
        monthly, once = amount, Decimal(0)
        stage = amount * duration_weeks / WEEKS_PER_MONTH if duration_weeks else None
    else:
        raise ValueError(f"unknown period {item.period!r}")
    return monthly, once, stage


def compute_cost_summary(items: list[CostItem] | tuple[CostItem, ...], duration_weeks: int | None) -> CostSummary:
    """Total the costs per month, once and over the whole stage, per payer and overall."""
    rows: list[ItemCost] = []
    sums: dict[str, list] = {}
    grand = [Decimal(0), Decimal(0), Decimal(0) if duration_weeks else None]
    for item in items:
        monthly, once, stage = _raw_item_cost(item, duration_weeks)
        rows.append(ItemCost(item, _cents(monthly), _cents(once), _cents(stage)))
        acc = sums.setdefault(item.payer, [Decimal(0), Decimal(0), Decimal(0) if duration_weeks else None])
        for target in (acc, grand):
            target[0] += monthly
            target[1] += once
            if target[2] is not None and stage is not None:
                target[2] += stage
    per_payer = {
        payer: PayerTotal(_cents(acc[0]), _cents(acc[1]), _cents(acc[2]))
        for payer, acc in sorted(sums.items(), key=lambda kv: PAYERS.index(kv[0]) if kv[0] in PAYERS else 99)
    }
    return CostSummary(tuple(rows), per_payer, PayerTotal(_cents(grand[0]), _cents(grand[1]), _cents(grand[2])), duration_weeks)


def wage_item(*, mode: str, amount, hours_per_week: int | None, payer: str, label: str) -> CostItem | None:
    """The re-invoiced wage as a weekly or monthly cost item (None when nothing is re-invoiced)."""
    if mode == "none" or amount is None:
        return None
    if mode == "hour":
        if not hours_per_week:
            return None
        return CostItem(label, payer, Decimal(str(amount)) * hours_per_week, "week")
    return CostItem(label, payer, Decimal(str(amount)), "month")


def mentor_item(*, hours_per_week, hourly_cost, payer: str, label: str) -> CostItem | None:
    """Mentor time (hours per week × hourly cost) as a weekly cost item."""
    if not hours_per_week or hourly_cost is None:
        return None
    return CostItem(label, payer, Decimal(str(hours_per_week)) * Decimal(str(hourly_cost)), "week")


def cost_items_for(*, place: StagePlace, sheet: CostSheet, lines: list[CostLine], labels: dict[str, str]) -> list[CostItem]:
    """Convert a stored sheet to cost items (labels: 'wage' and 'mentor' in the reader's language)."""
    items: list[CostItem] = []
    wage = wage_item(mode=sheet.wage_mode, amount=sheet.wage_amount, hours_per_week=place.hours_per_week, payer=sheet.wage_payer, label=labels["wage"])
    if wage:
        items.append(wage)
    mentor = mentor_item(
        hours_per_week=sheet.mentor_hours_per_week, hourly_cost=sheet.mentor_hourly_cost, payer=sheet.mentor_payer, label=labels["mentor"]
    )
    if mentor:
        items.append(mentor)
    for line in sorted(lines, key=lambda li: li.position):
        items.append(CostItem(line.label, line.payer, Decimal(str(line.amount)), line.period))
    return items


# --- persistence ----------------------------------------------------------------------------


def get_or_create_sheet(*, session: Session, place: StagePlace) -> CostSheet:
    """The sheet of a place (every place has one; created on first use)."""
    sheet = session.exec(select(CostSheet).where(CostSheet.place_id == place.id)).first()
    if sheet is None:
        sheet = CostSheet(place_id=place.id)
        session.add(sheet)
        session.flush()
    return sheet


def sheet_lines(*, session: Session, sheet: CostSheet) -> list[CostLine]:
    return list(session.exec(select(CostLine).where(CostLine.sheet_id == sheet.id).order_by(CostLine.position, CostLine.id)).all())


def sheet_premiums(*, session: Session, sheet: CostSheet) -> list[Premium]:
    return list(
        session.exec(
            select(Premium).join(SheetPremium, SheetPremium.premium_id == Premium.id).where(SheetPremium.sheet_id == sheet.id).order_by(Premium.name_nl)
        ).all()
    )


def available_premiums(*, session: Session, today: date | None = None) -> list[Premium]:
    """Premiums from the reference data that are valid today."""
    today = today or date.today()
    return list(
        session.exec(
            select(Premium)
            .where((Premium.valid_from.is_(None)) | (Premium.valid_from <= today), (Premium.valid_to.is_(None)) | (Premium.valid_to >= today))
            .order_by(Premium.name_nl)
        ).all()
    )


SHEET_FIELDS = (
    "wage_mode", "wage_amount", "wage_payer", "mentor_name", "mentor_hours_per_week", "mentor_hourly_cost", "mentor_payer",
    "coach_visits", "se_support", "first_day_plan", "feedback_moments", "employer_tasks_schedule", "participant_tasks",
    "participant_pace", "participant_hours", "participant_language", "safety_rules", "intention", "contract_type",
)


def save_sheet(
    *, session: Session, place: StagePlace, values: dict, lines: list[dict], premium_ids: list[int], checklist: list[dict]
) -> CostSheet:
    """Replace a place's sheet content: fields, cost lines, chosen premiums and the checklist."""
    sheet = get_or_create_sheet(session=session, place=place)
    for name in SHEET_FIELDS:
        if name in values:
            setattr(sheet, name, values[name])
    if sheet.wage_mode == "none":
        sheet.wage_amount = None
    sheet.checklist = [row for row in checklist if row.get("document")]
    sheet.updated_at = utcnow()
    session.add(sheet)
    session.exec(delete(CostLine).where(CostLine.sheet_id == sheet.id))
    for position, line in enumerate(row for row in lines if row.get("label")):
        session.add(
            CostLine(sheet_id=sheet.id, kind=line["kind"], label=line["label"], amount=float(line["amount"] or 0), period=line["period"],
                     payer=line["payer"], position=position)
        )
    valid = {p.id for p in available_premiums(session=session)}
    session.exec(delete(SheetPremium).where(SheetPremium.sheet_id == sheet.id))
    for premium_id in dict.fromkeys(premium_ids):
        if premium_id in valid:
            session.add(SheetPremium(sheet_id=sheet.id, premium_id=premium_id))
    place.updated_at = utcnow()
    session.add(place)
    record_audit(session=session, actor_id=current_actor_id(), action="sheet.saved", obj=place,
                 detail={"lines": len(lines), "premiums": len(premium_ids)})
    session.flush()
    return sheet


def copy_sheet(*, session: Session, source: StagePlace, target: StagePlace) -> CostSheet:
    """Copy the whole sheet of one place to another (for duplicating a place)."""
    old = get_or_create_sheet(session=session, place=source)
    new = get_or_create_sheet(session=session, place=target)
    for name in SHEET_FIELDS:
        setattr(new, name, getattr(old, name))
    new.checklist = list(old.checklist or [])
    session.add(new)
    for line in sheet_lines(session=session, sheet=old):
        session.add(CostLine(sheet_id=new.id, kind=line.kind, label=line.label, amount=line.amount, period=line.period, payer=line.payer,
                             position=line.position))
    for premium in sheet_premiums(session=session, sheet=old):
        session.add(SheetPremium(sheet_id=new.id, premium_id=premium.id))
    session.flush()
    return new


def sheet_document(*, session: Session, place: StagePlace, labels: dict[str, str]) -> dict:
    """Everything the sheet document shows: place, sheet, lines, premiums, cost summary."""
    sheet = get_or_create_sheet(session=session, place=place)
    lines = sheet_lines(session=session, sheet=sheet)
    return {
        "place": place,
        "sheet": sheet,
        "lines": lines,
        "premiums": sheet_premiums(session=session, sheet=sheet),
        "summary": compute_cost_summary(cost_items_for(place=place, sheet=sheet, lines=lines, labels=labels), place.duration_weeks),
    }


def reader_labels() -> dict[str, str]:
    """The names of the computed cost rows ('wage', 'mentor') in the reader's language, for ``sheet_document``."""
    return {"wage": _("Doorgerekend deel van het loon"), "mentor": _("Tijd van de mentor")}


def render_pdf(html: str, *, stylesheet_path: str, base_url: str) -> bytes:
    """Render the printable sheet HTML to PDF bytes with WeasyPrint."""
    from weasyprint import CSS, HTML

    return HTML(string=html, base_url=base_url).write_pdf(stylesheets=[CSS(filename=stylesheet_path)])


# --- sanity checks --------------------------------------------------------------------------
#
# Every amount has a hard bound (refused: no employer pays that, it is a typing error) and a plausible range
# (outside it the employer sees a warning and confirms the value before it is saved). Mentor time can never
# exceed the hours of the place itself.


@dataclass(frozen=True)
class Bound:
    """Hard maximum and plausible range of one sheet amount."""

    hard_max: Decimal
    low: Decimal
    high: Decimal


SANITY = {
    "wage_hour": Bound(Decimal(100), Decimal(2), Decimal(35)),
    "wage_month": Bound(Decimal(10000), Decimal(100), Decimal(4000)),
    "mentor_hourly_cost": Bound(Decimal(200), Decimal(10), Decimal(80)),
    "mentor_hours_per_week": Bound(Decimal(40), Decimal(0), Decimal(10)),
    "line_once": Bound(Decimal(20000), Decimal(0), Decimal(1500)),
    "line_week": Bound(Decimal(2000), Decimal(0), Decimal(250)),
    "line_month": Bound(Decimal(8000), Decimal(0), Decimal(1000)),
}
#: a monthly total for the stage employer above this asks for a confirmation too
PLAUSIBLE_MONTHLY_TOTAL = Decimal(3000)


@dataclass
class SheetCheck:
    """What is wrong with typed sheet values: refusals per field, and warnings the employer must confirm."""

    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)
    summary: CostSummary | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _dec(value) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def check_sheet(*, values: dict, lines: list[dict], hours_per_week: int | None, duration_weeks: int | None) -> SheetCheck:
    """Check typed sheet values against hard bounds and plausible ranges, and recompute the totals as typed."""
    from web.formatting import format_hours, format_money

    check = SheetCheck()

    def judge(name: str, value: Decimal | None, bound: Bound, money: bool = True) -> None:
        if value is None:
            return
        shown = format_money if money else format_hours
        if value > bound.hard_max:
            check.errors[name] = _("%(value)s kan niet kloppen: het maximum is %(max)s.", value=shown(value), max=shown(bound.hard_max))
        elif not (bound.low <= value <= bound.high):
            check.warnings[name] = _("%(value)s is ongewoon (meestal tussen %(low)s en %(high)s). Klopt dit?",
                                     value=shown(value), low=shown(bound.low), high=shown(bound.high))

    mode = values.get("wage_mode")
    if mode in ("hour", "month"):
        judge("wage_amount", _dec(values.get("wage_amount")), SANITY["wage_hour" if mode == "hour" else "wage_month"])
    judge("mentor_hourly_cost", _dec(values.get("mentor_hourly_cost")), SANITY["mentor_hourly_cost"])
    mentor_hours = _dec(values.get("mentor_hours_per_week"))
    if mentor_hours is not None and hours_per_week and mentor_hours > hours_per_week:
        check.errors["mentor_hours_per_week"] = _(
            "De mentor kan niet meer uren begeleiden dan de stage zelf duurt (%(hours)s per week).", hours=format_hours(hours_per_week))
    elif mentor_hours is not None:
        judge("mentor_hours_per_week", mentor_hours, SANITY["mentor_hours_per_week"], money=False)
        if "mentor_hours_per_week" not in check.warnings and hours_per_week and mentor_hours * 2 > hours_per_week:
            check.warnings["mentor_hours_per_week"] = _("De mentor begeleidt meer dan de helft van de stage-uren. Klopt dit?")
    for index, line in enumerate(lines):
        if not line.get("label"):
            continue
        judge(f"lines-{index}-amount", _dec(line.get("amount")), SANITY.get(f"line_{line.get('period')}", SANITY["line_once"]))
    if not check.errors:
        items = []
        wage = wage_item(mode=mode or "none", amount=values.get("wage_amount"), hours_per_week=hours_per_week,
                         payer=values.get("wage_payer") or "stage_employer", label=_("Doorgerekend deel van het loon"))
        mentor = mentor_item(hours_per_week=values.get("mentor_hours_per_week"), hourly_cost=values.get("mentor_hourly_cost"),
                             payer=values.get("mentor_payer") or "stage_employer", label=_("Tijd van de mentor"))
        items += [i for i in (wage, mentor) if i]
        items += [CostItem(li["label"], li["payer"], Decimal(str(li.get("amount") or 0)), li["period"]) for li in lines if li.get("label")]
        check.summary = compute_cost_summary(items, duration_weeks)
        employer_total = check.summary.per_payer.get("stage_employer")
        if employer_total is not None and employer_total.per_month > PLAUSIBLE_MONTHLY_TOTAL:
            check.warnings["total"] = _("Dit komt op %(total)s per maand voor jou. Dat is veel voor een stage. Klopt dit?",
                                        total=format_money(employer_total.per_month))
    return check
