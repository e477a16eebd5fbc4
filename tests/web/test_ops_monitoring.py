"""Monitoring figures on a small known data set, every number checked by hand (see the comments)."""
from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from tests.conftest import login, make_employer, make_place, make_user
from web.models import (
    HoldPeriod,
    Participant,
    PhasePeriod,
    Proposal,
    ProposalEvent,
    Setting,
    SocialEconomyCompany,
    Team,
    Trajectory,
)
from web.services.monitoring import Filters, compute_figures

YEAR = Filters(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))
PIPELINE = ["proposed", "participant_agreed", "intake_planned", "stage_agreed", "stage_running", "stage_completed", "hired"]


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def data(session):
    return build_known_data(session)


def build_known_data(session) -> dict:
    """The small data set whose figures are checked by hand below (also used by the browser screenshots)."""
    team_a, team_b = Team(name="Team A"), Team(name="Team B")
    x, y = SocialEconomyCompany(name="Maatwerk X"), SocialEconomyCompany(name="Maatwerk Y")
    session.add_all([team_a, team_b, x, y])
    session.commit()
    a1 = make_user(session, "coach", team_id=team_a.id)
    b1 = make_user(session, "coach", team_id=team_b.id)

    def trajectory(coach, company, started, ended=None, outcome=None, hired_on=None, still=None):
        participant = Participant(coach_id=coach.id, company_id=company.id, first_name="P", last_name="Q")
        session.add(participant)
        session.flush()
        t = Trajectory(participant_id=participant.id, coach_id=coach.id, started_on=date.fromisoformat(started),
                       ended_on=date.fromisoformat(ended) if ended else None, outcome=outcome,
                       hired_on=date.fromisoformat(hired_on) if hired_on else None, still_employed_at_end=still)
        session.add(t)
        session.flush()
        return t

    # ended in 2025 unless noted; success (default rule) = hired within the trajectory and still employed
    t1 = trajectory(a1, x, "2024-10-01", "2025-03-31", "hired", "2024-12-15", True)  # success
    t2 = trajectory(a1, x, "2025-02-01", "2025-09-30", "hired", "2025-06-01", False)  # success only under rule "hired"
    t3 = trajectory(a1, y, "2025-03-01", "2025-08-31", "stopped")  # no success
    t4 = trajectory(b1, y, "2025-04-01", "2025-11-30", "hired", "2025-08-01", True)  # success
    trajectory(b1, x, "2025-05-01")  # started, still running
    t6 = trajectory(b1, y, "2023-01-01", "2024-06-30", "hired", "2023-08-01", True)  # outside the period
    trajectory(a1, x, "2025-01-10", "2025-12-01", "hired", "2024-12-01", True)  # hired before the trajectory: no success

    def period(t, phase, start, end, hold=None):
        p = PhasePeriod(trajectory_id=t.id, phase=phase, started_on=date.fromisoformat(start), due_on=date.fromisoformat(end),
                        ended_on=date.fromisoformat(end))
        session.add(p)
        session.flush()
        if hold:
            session.add(HoldPeriod(phase_period_id=p.id, started_on=date.fromisoformat(hold[0]), ended_on=date.fromisoformat(hold[1])))

    period(t1, "jobmatching", "2025-01-01", "2025-02-15")  # 45 days
    period(t2, "jobmatching", "2025-02-01", "2025-05-02", hold=("2025-03-01", "2025-03-11"))  # 90 - 10 on hold = 80
    period(t3, "jobmatching", "2025-03-01", "2025-07-09")  # 130 > 90
    period(t2, "stage", "2025-05-02", "2025-06-01")  # 30
    period(t4, "voortraject", "2024-12-20", "2025-01-19")  # 30
    period(t6, "stage", "2024-02-01", "2024-05-01")  # ended before the period
    session.commit()

    e1 = make_employer(session, name="Alfa Logistiek", sector="logistiek")
    e2 = make_employer(session, name="Bravo Bouw", sector="logistiek")
    e3 = make_employer(session, name="Charlie Oud", sector="logistiek")
    e4 = make_employer(session, name="Delta Ontwerp", sector="logistiek")
    place_a = make_place(session, e1, sector="logistiek", postal_code="9000", published_at=_dt("2025-02-01T10:00"))
    place_b = make_place(session, e1, sector="horeca", postal_code="2000", published_at=_dt("2025-03-01T10:00"))
    make_place(session, e2, sector="logistiek", postal_code="3000", published_at=_dt("2025-04-01T10:00"))
    make_place(session, e3, sector="logistiek", postal_code="9000", published_at=_dt("2024-05-01T10:00"))
    make_place(session, e4, status="draft", published_at=None)

    def proposal(t, place, coach, created, state, events=(), reason=None):
        p = Proposal(participant_id=t.participant_id, place_id=place.id, coach_id=coach.id, state=state, decline_reason=reason,
                     created_at=_dt(created), updated_at=_dt(created))
        session.add(p)
        session.flush()
        for frm, to in zip([None, *events], events, strict=False):
            session.add(ProposalEvent(proposal_id=p.id, from_state=frm, to_state=to, at=_dt(created)))

    proposal(t1, place_a, a1, "2025-02-10T09:00", "hired", PIPELINE)  # reached hired
    proposal(t2, place_a, a1, "2025-03-10T09:00", "declined", ["proposed", "participant_agreed", "intake_planned", "declined"], "schedule")
    proposal(t3, place_a, a1, "2025-04-10T09:00", "declined", ["proposed", "declined"], "skills_mismatch")
    proposal(t2, place_a, a1, "2025-05-10T09:00", "stage_running")  # no events (imported): its state says stage
    proposal(t3, place_a, a1, "2025-06-10T09:00", "proposed")
    proposal(t4, place_b, b1, "2025-07-10T09:00", "declined", ["proposed", "declined"], "skills_mismatch")
    proposal(t6, place_a, b1, "2024-06-01T09:00", "declined", ["proposed", "declined"], "skills_mismatch")  # outside the period
    session.commit()
    return {"team_a": team_a, "team_b": team_b, "x": x, "y": y}


def test_trajectories_started_ended_and_result_against_the_default_definition(session, data):
    figures = compute_figures(session=session, filters=YEAR)
    assert (figures.started, figures.ended, figures.successes) == (5, 5, 2)
    assert figures.result_pct == 40.0
    assert figures.target_pct == 75
    assert figures.outcomes == {"hired": 4, "stopped": 1}


def test_result_follows_the_configured_success_definition(session, data):
    session.add(Setting(key="success_definition", value={"rule": "hired", "target_pct": 60}))
    session.commit()
    figures = compute_figures(session=session, filters=YEAR)
    assert (figures.successes, figures.result_pct, figures.target_pct) == (3, 60.0, 60)


def test_filters_by_coach_team_and_company(session, data):
    team_a = compute_figures(session=session, filters=Filters(YEAR.date_from, YEAR.date_to, team_id=data["team_a"].id))
    assert (team_a.started, team_a.ended, team_a.successes, team_a.result_pct) == (3, 4, 1, 25.0)
    company_y = compute_figures(session=session, filters=Filters(YEAR.date_from, YEAR.date_to, company_id=data["y"].id))
    assert (company_y.started, company_y.ended, company_y.successes, company_y.result_pct) == (2, 2, 1, 50.0)


def test_time_in_phase_median_against_the_maximum_with_holds_taken_out(session, data):
    rows = {row["phase"]: row for row in compute_figures(session=session, filters=YEAR).phase_times}
    assert rows["jobmatching"] == {"phase": "jobmatching", "count": 3, "median_days": 80, "max_days": 90, "over_max": 1}
    assert rows["stage"]["count"] == 1 and rows["stage"]["median_days"] == 30
    assert rows["voortraject"]["median_days"] == 30 and rows["voortraject"]["over_max"] == 0
    assert rows["nazorg"] == {"phase": "nazorg", "count": 0, "median_days": None, "max_days": 90, "over_max": 0}


def test_time_in_phase_uses_the_configured_maximum(session, data):
    session.add(Setting(key="phase_max_days", value={"voortraject": 30, "jobmatching": 60, "stage": 90, "nazorg": 90}))
    session.commit()
    rows = {row["phase"]: row for row in compute_figures(session=session, filters=YEAR).phase_times}
    assert (rows["jobmatching"]["max_days"], rows["jobmatching"]["over_max"]) == (60, 2)


def test_funnel_from_proposal_events_and_states(session, data):
    funnel = compute_figures(session=session, filters=YEAR).funnel
    assert [(r["step"], r["count"]) for r in funnel] == [("proposed", 6), ("intake", 3), ("stage", 2), ("hired", 1)]
    assert [r["pct_of_proposed"] for r in funnel] == [100.0, 50.0, 33.3, 16.7]
    assert [r["pct_of_previous"] for r in funnel] == [100.0, 50.0, 66.7, 50.0]


def test_decline_reasons_and_sector_filter(session, data):
    figures = compute_figures(session=session, filters=YEAR)
    assert figures.decline_reasons == [
        {"reason": "skills_mismatch", "count": 2, "pct": 66.7},
        {"reason": "schedule", "count": 1, "pct": 33.3},
    ]
    horeca = compute_figures(session=session, filters=Filters(YEAR.date_from, YEAR.date_to, sector="horeca"))
    assert [(r["step"], r["count"]) for r in horeca.funnel][:2] == [("proposed", 1), ("intake", 0)]
    assert horeca.decline_reasons == [{"reason": "skills_mismatch", "count": 1, "pct": 100.0}]
    assert horeca.places_by_sector == [{"sector": "horeca", "count": 1}]
    assert horeca.idle_employers == []


def test_places_by_sector_and_province_and_idle_employers(session, data):
    figures = compute_figures(session=session, filters=YEAR)
    assert figures.places_by_sector == [{"sector": "logistiek", "count": 2}, {"sector": "horeca", "count": 1}]
    assert figures.places_by_province == [
        {"province": "Antwerpen", "count": 1}, {"province": "Oost-Vlaanderen", "count": 1}, {"province": "Vlaams-Brabant", "count": 1},
    ]
    assert [(r["employer"], r["open_places"]) for r in figures.idle_employers] == [("Charlie Oud", 1), ("Bravo Bouw", 1)]


def test_empty_period_shows_no_result_rather_than_zero(session, data):
    figures = compute_figures(session=session, filters=Filters(date(2030, 1, 1), date(2030, 12, 31)))
    assert (figures.started, figures.ended, figures.result_pct) == (0, 0, None)
    assert figures.funnel[0]["pct_of_proposed"] is None


def test_dashboard_shows_the_figures_and_every_table_downloads_as_csv(client, session, data):
    admin = make_user(session, "admin")
    login(client, admin.email)
    query = {"date_from": "2025-01-01", "date_to": "2025-12-31"}
    page = client.get("/admin/monitoring", query_string=query).get_data(as_text=True)
    assert 'data-testid="result">40,0%' in page
    assert "<svg" in page and "stroke-dasharray" in page  # the chart with the target line
    for table in ("summary", "outcomes", "phases", "funnel", "declines", "sectors", "provinces", "places", "idle_employers"):
        response = client.get(f"/admin/monitoring/{table}.csv", query_string=query)
        assert response.status_code == 200, table
        assert response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(client.get("/admin/monitoring/funnel.csv", query_string=query).get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["step", "count", "pct_of_proposed", "pct_of_previous"]
    assert rows[1:] == [["proposed", "6", "100.0", "100.0"], ["intake", "3", "50.0", "50.0"], ["stage", "2", "33.3", "66.7"], ["hired", "1", "16.7", "50.0"]]
    assert client.get("/admin/monitoring/nothing.csv").status_code == 404


def test_team_lead_sees_only_their_own_team(client, session, data):
    lead = make_user(session, "coach", team_id=data["team_a"].id, is_team_lead=True)
    login(client, lead.email)
    query = {"date_from": "2025-01-01", "date_to": "2025-12-31", "team_id": str(data["team_b"].id)}
    summary = client.get("/admin/monitoring/summary.csv", query_string=query).get_data(as_text=True)
    assert summary.splitlines()[1].startswith("3,4,1,25.0")  # team A's figures, whatever the query asks


def test_time_in_phase_median_of_an_even_count_is_the_mean_and_an_open_hold_runs_to_the_phase_end(session, data):
    t = session.exec(select(Trajectory).where(Trajectory.started_on == date(2025, 4, 1))).one()  # t4 of team B
    p = PhasePeriod(trajectory_id=t.id, phase="stage", started_on=date(2025, 8, 1), due_on=date(2025, 10, 30), ended_on=date(2025, 9, 20))
    session.add(p)
    session.flush()
    session.add(HoldPeriod(phase_period_id=p.id, started_on=date(2025, 9, 5), ended_on=None))  # never closed: 15 days until the end
    session.add(HoldPeriod(phase_period_id=p.id, started_on=date(2025, 9, 25), ended_on=date(2025, 9, 30)))  # after the end: nothing
    session.commit()
    rows = {row["phase"]: row for row in compute_figures(session=session, filters=YEAR).phase_times}
    assert rows["stage"]["count"] == 2
    assert rows["stage"]["median_days"] == 32.5  # (30 + (50 - 15)) / 2
    team_b = {row["phase"]: row for row in compute_figures(session=session, filters=Filters(YEAR.date_from, YEAR.date_to, team_id=data["team_b"].id)).phase_times}
    assert team_b["stage"] == {"phase": "stage", "count": 1, "median_days": 35, "max_days": 90, "over_max": 0}
