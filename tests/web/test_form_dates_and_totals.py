"""Forms as people fill them in here: dates typed and shown day first (dd/mm/jjjj, dd/mm/yyyy) with ISO still
accepted, decimal fields as text boxes that keep a decimal comma, and the cost sheet's totals box that the server
fills in and web/static/js/sheet-totals.js keeps up to date while the employer types."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask_wtf import FlaskForm
from sqlmodel import select
from werkzeug.datastructures import MultiDict
from wtforms.validators import Optional

from tests.conftest import make_employer, make_participant, make_place, make_proposal, make_user
from web.models import CostSheet, Proposal
from web.validators import BoundedDateField

LATER = date.today() + timedelta(days=40)


class _DateForm(FlaskForm):
    class Meta:
        csrf = False

    day = BoundedDateField("Dag", validators=[Optional()])


@pytest.mark.parametrize("typed", [LATER.strftime("%d/%m/%Y"), LATER.isoformat(), LATER.strftime("%d-%m-%Y"), LATER.strftime("%d.%m.%Y"),
                                   f"{LATER.day}/{LATER.month}/{LATER.year}"])
def test_a_date_field_takes_day_first_dates_and_iso(app, typed):
    with app.test_request_context():
        form = _DateForm(formdata=MultiDict({"day": typed}))
        assert form.validate(), form.errors
        assert form.day.data == LATER


@pytest.mark.parametrize("typed", ["31/13/2027", "2027-02-30", "morgen", "12/31/2027"])
def test_a_date_that_is_not_one_is_refused(app, typed):
    with app.test_request_context():
        form = _DateForm(formdata=MultiDict({"day": typed}))
        assert not form.validate()
        assert form.day.data is None


def test_a_date_field_is_a_text_box_showing_the_date_day_first_with_a_hint_per_language(app):
    with app.test_request_context():
        html = str(_DateForm(data={"day": date(2027, 1, 30)}).day())
    assert 'type="text"' in html and 'value="30/01/2027"' in html and 'placeholder="dd/mm/jjjj"' in html
    with app.test_request_context(headers={"Accept-Language": "en"}):
        from flask import session as flask_session

        flask_session["lang"] = "en"
        html = str(_DateForm(data={"day": date(2027, 1, 30)}).day())
    assert 'value="30/01/2027"' in html and 'placeholder="dd/mm/yyyy"' in html


@pytest.fixture
def owner(session):
    user = make_user(session, "employer")
    employer = make_employer(session, user=user)
    place = make_place(session, employer, status="draft", published_at=None, expires_at=None, hours_per_week=30, duration_weeks=8,
                       start_date=date(2099, 3, 1))
    return user, place


def test_place_form_shows_its_start_date_day_first(owner, login_as):
    user, place = owner
    html = login_as(user).get(f"/werkgever/plaatsen/{place.id}/bewerken").get_data(as_text=True)
    field = re.search(r'<input[^>]*id="start_date"[^>]*>', html).group(0)
    assert 'type="text"' in field and 'value="01/03/2099"' in field


def test_coach_agrees_a_stage_with_dates_typed_day_first(session, login_as):
    coach = make_user(session, "coach")
    place = make_place(session, make_employer(session))
    proposal = make_proposal(session, make_participant(session, coach), place, state="intake_planned")
    client = login_as(coach)
    page = client.get(f"/coach/voorstellen/{proposal.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    data = {"to_state": "stage_agreed", "stage_start": LATER.strftime("%d/%m/%Y"), "stage_end": (LATER + timedelta(days=56)).strftime("%d/%m/%Y")}
    if token:
        data["csrf_token"] = token.group(1)
    client.post(f"/coach/voorstellen/{proposal.id}/status", data=data)
    session.expire_all()
    stored = session.get(Proposal, proposal.id)
    assert stored.state == "stage_agreed"
    assert (stored.stage_start, stored.stage_end) == (LATER, LATER + timedelta(days=56))


# --- decimal fields and the sheet's totals ---------------------------------------------------------------------------------


def test_sheet_decimal_fields_are_text_boxes_that_keep_the_decimal_comma(owner, session, login_as):
    user, place = owner
    sheet = session.exec(select(CostSheet).where(CostSheet.place_id == place.id)).one()
    sheet.mentor_hours_per_week, sheet.mentor_hourly_cost = 2.5, 40
    session.add(sheet)
    session.commit()
    html = login_as(user).get(f"/werkgever/plaatsen/{place.id}/fiche/bewerken").get_data(as_text=True)
    field = re.search(r'<input[^>]*id="mentor_hours_per_week"[^>]*>', html).group(0)
    assert 'type="text"' in field and 'inputmode="decimal"' in field and 'value="2,5"' in field


def _totals(html: str) -> dict[str, str]:
    return {key: value.strip().replace("\u00a0", " ") for key, value in re.findall(r'data-total="([\w-]+)">([^<]*)<', html)}


def test_sheet_form_shows_the_saved_totals_for_the_script_to_update(owner, session, login_as):
    user, place = owner
    sheet = session.exec(select(CostSheet).where(CostSheet.place_id == place.id)).one()
    sheet.mentor_hours_per_week, sheet.mentor_hourly_cost = 2, 40
    session.add(sheet)
    session.commit()
    html = login_as(user).get(f"/werkgever/plaatsen/{place.id}/fiche/bewerken").get_data(as_text=True)
    box = re.search(r"<section[^>]*data-sheet-totals[^>]*>", html).group(0)
    assert 'data-hours="30"' in box and 'data-weeks="8"' in box and 'data-locale="nl-BE"' in box
    assert 'src="/static/js/sheet-totals.js"' in html
    # 2 h × € 40 a week: € 346,67 a month (52/12 weeks), € 640 over 8 weeks
    assert _totals(html) == {"mine-month": "€ 346,67", "mine-once": "€ 0,00", "mine-stage": "€ 640,00",
                             "all-month": "€ 346,67", "all-once": "€ 0,00", "all-stage": "€ 640,00"}


def test_sheet_totals_after_sending_are_those_of_what_was_typed_with_a_decimal_comma(owner, login_as):
    user, place = owner
    response = login_as(user).post(f"/werkgever/plaatsen/{place.id}/fiche/bewerken", data={
        "wage_mode": "none", "wage_payer": "stage_employer", "mentor_payer": "se_employer",
        "mentor_hours_per_week": "21", "mentor_hourly_cost": "45,50",  # more than half the place's 30 hours: a warning
        "lines-0-kind": "clothing", "lines-0-label": "Werkschoenen", "lines-0-amount": "1.234,50", "lines-0-period": "once",
        "lines-0-payer": "stage_employer",
    })
    assert response.status_code == 422
    totals = _totals(response.get_data(as_text=True))
    assert totals["mine-once"] == "€ 1.234,50" and totals["mine-month"] == "€ 0,00"
    assert totals["all-month"] == "€ 4.140,50"  # 21 × 45,50 × 52/12
    assert totals["all-once"] == "€ 1.234,50"


def test_sheet_totals_wait_for_unreadable_amounts_to_be_corrected(owner, login_as):
    user, place = owner
    response = login_as(user).post(f"/werkgever/plaatsen/{place.id}/fiche/bewerken", data={
        "wage_mode": "none", "wage_payer": "stage_employer", "mentor_payer": "stage_employer", "mentor_hourly_cost": "veertig"})
    html = response.get_data(as_text=True)
    assert set(_totals(html).values()) == {"—"}
    assert "Verbeter de fouten hierboven om de totalen te zien." in html


def test_sheet_totals_read_in_english(owner, session, login_as):
    user, place = owner
    user.language = "en"
    session.add(user)
    session.commit()
    html = login_as(user).get(f"/werkgever/plaatsen/{place.id}/fiche/bewerken").get_data(as_text=True)
    assert 'data-locale="en-GB"' in html and "What this costs" in html and "You (internship employer)" in html
