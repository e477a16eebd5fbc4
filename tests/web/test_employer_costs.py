"""The cost maths of the cost & expectation sheet: pure functions, hand-checked numbers."""
from decimal import Decimal

import pytest

from web.services.cost_sheets import CostItem, compute_cost_summary, mentor_item, wage_item

D = Decimal


def test_wage_per_hour_becomes_a_weekly_cost_of_hours_times_rate():
    item = wage_item(mode="hour", amount=5, hours_per_week=30, payer="stage_employer", label="loon")
    assert item == CostItem("loon", "stage_employer", D(150), "week")


def test_no_wage_or_unknown_hours_gives_no_wage_item():
    assert wage_item(mode="none", amount=5, hours_per_week=30, payer="stage_employer", label="loon") is None
    assert wage_item(mode="hour", amount=5, hours_per_week=None, payer="stage_employer", label="loon") is None


def test_mentor_time_is_hours_per_week_times_hourly_cost():
    assert mentor_item(hours_per_week=2, hourly_cost=40, payer="stage_employer", label="mentor").amount == D(80)
    assert mentor_item(hours_per_week=0, hourly_cost=40, payer="stage_employer", label="mentor") is None


def test_totals_per_month_once_and_whole_stage_per_payer_hand_checked():
    items = [
        CostItem("loon", "stage_employer", D(150), "week"),  # 5 €/h × 30 h
        CostItem("mentor", "stage_employer", D(80), "week"),  # 2 h × 40 €
        CostItem("werkkledij", "stage_employer", D(120), "once"),
        CostItem("verplaatsing", "se_employer", D(50), "month"),
    ]
    summary = compute_cost_summary(items, duration_weeks=8)
    # a month is 52/12 weeks: 150 × 4.3333 = 650.00; 80 × 4.3333 = 346.666… → 346.67
    assert [row.per_month for row in summary.items] == [D("650.00"), D("346.67"), D("0.00"), D("50.00")]
    # whole stage (8 weeks): 1200, 640, 120 once, 50 × 8 / 4.3333 = 92.307… → 92.31
    assert [row.whole_stage for row in summary.items] == [D("1200.00"), D("640.00"), D("120.00"), D("92.31")]
    stage_employer = summary.per_payer["stage_employer"]
    assert (stage_employer.per_month, stage_employer.once, stage_employer.whole_stage) == (D("996.67"), D("120.00"), D("1960.00"))
    se = summary.per_payer["se_employer"]
    assert (se.per_month, se.once, se.whole_stage) == (D("50.00"), D("0.00"), D("92.31"))
    assert (summary.total.per_month, summary.total.once, summary.total.whole_stage) == (D("1046.67"), D("120.00"), D("2052.31"))
    assert list(summary.per_payer) == ["stage_employer", "se_employer"]


def test_whole_stage_is_unknown_without_a_duration_but_monthly_figures_remain():
    summary = compute_cost_summary([CostItem("kledij", "nobody", D(30), "once"), CostItem("loon", "government", D(1000), "month")], None)
    assert summary.total.whole_stage is None
    assert summary.items[1].whole_stage is None
    assert summary.items[0].whole_stage == D("30.00")
    assert summary.total.per_month == D("1000.00")


def test_empty_sheet_costs_nothing():
    summary = compute_cost_summary([], 12)
    assert summary.items == ()
    assert summary.total.whole_stage == D(0)


def test_unknown_period_is_refused():
    with pytest.raises(ValueError):
        compute_cost_summary([CostItem("x", "nobody", D(1), "year")], 4)
