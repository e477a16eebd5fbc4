"""Cost sheet sanity: absurd values refused, unusual ones warned and confirmed, mentor hours within place hours,
totals recomputed as typed, and a published place never goes offline before its start date."""
from datetime import date, timedelta

import pytest
from sqlmodel import select

from tests.conftest import make_employer, make_place, make_user
from web.models import CostSheet, StagePlace


@pytest.fixture
def owner(session):
    user = make_user(session, "employer")
    employer = make_employer(session, user=user)
    place = make_place(session, employer, status="draft", published_at=None, expires_at=None, hours_per_week=30, duration_weeks=8)
    return user, place


def _post(client, place, **values):
    data = {"wage_mode": "none", "wage_payer": "stage_employer", "mentor_payer": "stage_employer"}
    data.update(values)
    return client.post(f"/werkgever/plaatsen/{place.id}/fiche/bewerken", data=data)


def _sheet(session, place):
    session.expire_all()
    return session.exec(select(CostSheet).where(CostSheet.place_id == place.id)).one()


def test_an_absurd_hourly_wage_is_refused_with_a_message_and_the_form_keeps_its_values(client, session, login_as, owner):
    user, place = owner
    response = _post(login_as(user), place, wage_mode="hour", wage_amount="450", mentor_name="Mieke")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "kan niet kloppen" in html and 'value="Mieke"' in html and 'value="450"' in html
    assert _sheet(session, place).wage_amount is None


def test_mentor_hours_above_the_place_hours_are_refused(client, session, login_as, owner):
    user, place = owner
    response = _post(login_as(user), place, mentor_hours_per_week="31", mentor_hourly_cost="25")
    assert response.status_code == 422
    assert "meer uren begeleiden dan de stage zelf duurt" in response.get_data(as_text=True)
    assert _sheet(session, place).mentor_hours_per_week is None


def test_an_unusual_value_is_warned_with_the_total_as_typed_and_saved_only_once_confirmed(client, session, login_as, owner):
    user, place = owner
    client = login_as(user)
    response = _post(client, place, mentor_hours_per_week="25", mentor_hourly_cost="45")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-testid="sheet-warnings"' in html and "Klopt dit?" in html
    assert "€ 4.875,00 per maand" in html.replace("\xa0", " ")  # 25 h × € 45 × 52/12 weeks
    assert _sheet(session, place).mentor_hours_per_week is None
    response = _post(client, place, mentor_hours_per_week="25", mentor_hourly_cost="45", confirm_unusual="y")
    assert response.status_code == 302
    assert _sheet(session, place).mentor_hours_per_week == 25


def test_plausible_values_save_without_a_warning(client, session, login_as, owner):
    user, place = owner
    response = _post(login_as(user), place, wage_mode="hour", wage_amount="4,50", mentor_hours_per_week="3", mentor_hourly_cost="30",
                     **{"lines-0-kind": "clothing", "lines-0-label": "Veiligheidsschoenen", "lines-0-amount": "85", "lines-0-period": "once",
                        "lines-0-payer": "stage_employer"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert _sheet(session, place).wage_amount == 4.5


def test_an_absurd_cost_line_is_refused_next_to_its_row(client, session, login_as, owner):
    user, place = owner
    response = _post(login_as(user), place, **{"lines-0-kind": "travel", "lines-0-label": "Bus", "lines-0-amount": "90000",
                                               "lines-0-period": "month", "lines-0-payer": "stage_employer"})
    assert response.status_code == 422
    assert 'id="lines-0-amount-error"' in response.get_data(as_text=True)


def test_publishing_keeps_the_place_online_until_its_start_date(app, session, owner):
    from web.services.places import change_place_status

    user, place = owner
    place.start_date = date.today() + timedelta(days=120)
    session.add(place)
    session.commit()
    sheet = _sheet(session, place)
    sheet.mentor_name, sheet.mentor_hours_per_week, sheet.first_day_plan, sheet.intention = "Mieke", 3, "Rondleiding", "hire"
    session.add(sheet)
    session.commit()
    with app.app_context():
        change_place_status(session=session, place=place, action="publish", actor=user)
    session.commit()
    assert place.expires_at.date() >= place.start_date


def test_moving_the_start_of_a_published_place_extends_its_expiry_and_says_so(client, session, login_as):
    user = make_user(session, "employer")
    place = make_place(session, make_employer(session, user=user))
    form = {"title": place.title, "description": place.description, "tasks": place.tasks, "sector": "logistiek", "postal_code": "9000",
            "hours_per_week": "30", "start_date": (date.today() + timedelta(days=200)).isoformat(), "duration_weeks": "8", "places": "1",
            "dutch_level": "A2", "skills-0-name": "heftruck rijden", "skills-0-required": "1", "skills-0-min_level": "2"}
    response = login_as(user).post(f"/werkgever/plaatsen/{place.id}/bewerken", data=form, follow_redirects=True)
    assert "staat nu online tot" in response.get_data(as_text=True)
    session.expire_all()
    stored = session.get(StagePlace, place.id)
    assert stored.expires_at.date() >= stored.start_date
