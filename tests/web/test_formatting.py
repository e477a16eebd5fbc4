"""Numbers, money and dates per locale (nl-BE, en-GB), and number inputs that take a decimal comma or point."""
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tests.conftest import login, make_employer, make_place, make_user
from web.formatting import (
    format_date,
    format_datetime,
    format_hours,
    format_money,
    format_number,
    format_percent,
    parse_decimal,
)


@pytest.mark.parametrize(
    "function, value, nl, en",
    [
        (format_number, 2.5, "2,5", "2.5"),
        (format_number, 1234.5, "1.234,5", "1,234.5"),
        (format_percent, 52.4, "52%", "52%"),
        (format_money, 58500, "€ 58.500,00", "€58,500.00"),
        (format_money, Decimal("4.50"), "€ 4,50", "€4.50"),
        (format_date, date(2027, 1, 30), "30 jan 2027", "30 Jan 2027"),
    ],
)
def test_values_are_formatted_for_belgian_dutch_and_british_english(app, function, value, nl, en):
    with app.test_request_context():
        assert function(value, language="nl").replace("\xa0", " ") == nl
        assert function(value, language="en").replace("\xa0", " ") == en


def test_percent_keeps_the_asked_decimals_with_the_locales_mark(app):
    with app.test_request_context():
        assert format_percent(52.4, 1, language="nl") == "52,4%"
        assert format_percent(52.4, 1, language="en") == "52.4%"


def test_times_are_brussels_time_without_seconds_and_never_us_style(app):
    moment = datetime(2027, 1, 30, 18, 11, 39, tzinfo=UTC)  # 19:11:39 in Brussels
    with app.test_request_context():
        assert format_datetime(moment, "short", language="en") == "30/01/2027, 19:11"
        assert format_datetime(moment, language="nl") == "30 jan 2027, 19:11"
        assert ":39" not in format_datetime(moment, language="en")
        assert format_hours(2.5, language="nl") == "2,5 uur"


@pytest.mark.parametrize("typed, value", [("4,50", "4.50"), ("4.50", "4.50"), ("1.234,50", "1234.50"), ("1,234.50", "1234.50"),
                                          ("1 234,5", "1234.5"), ("€ 12", "12"), ("1.000.000", "1000000")])
def test_typed_numbers_accept_a_decimal_comma_and_a_point(typed, value):
    assert parse_decimal(typed) == Decimal(value)


@pytest.mark.parametrize("typed", ["vijf", "4,5,0.1.2x", "--3"])
def test_unreadable_numbers_are_refused(typed):
    with pytest.raises(ValueError):
        parse_decimal(typed)


def _sheet_post(**values):
    data = {"wage_mode": "hour", "wage_amount": "4,50", "wage_payer": "stage_employer", "mentor_payer": "stage_employer"}
    data.update(values)
    return data


def test_a_money_field_keeps_its_decimal_comma_and_shows_it_back(client, session):
    user = make_user(session, "employer")
    employer = make_employer(session, user=user)
    place = make_place(session, employer, status="draft", published_at=None, expires_at=None)
    login(client, user.email)
    response = client.post(f"/werkgever/plaatsen/{place.id}/fiche/bewerken", data=_sheet_post(mentor_hours_per_week="2,5", mentor_hourly_cost="20"))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    from web.models import CostSheet

    sheet = session.exec(CostSheet.__table__.select().where(CostSheet.place_id == place.id)).one()
    assert sheet.wage_amount == 4.5 and sheet.mentor_hours_per_week == 2.5
    form = client.get(f"/werkgever/plaatsen/{place.id}/fiche/bewerken").get_data(as_text=True)
    assert 'value="4,5"' in form or 'value="4,50"' in form
    page = client.get(f"/werkgever/plaatsen/{place.id}").get_data(as_text=True)
    assert "2,5 uur per week" in page


def test_every_page_names_a_favicon_that_exists(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert 'rel="icon"' in html
    icon = client.get("/static/img/favicon.svg")
    assert icon.status_code == 200 and b"<svg" in icon.data
    icon.close()
    assert client.get("/favicon.ico").status_code == 301


def test_hours_of_a_decimal_value_read_in_english_without_a_plural_warning(app):
    with app.test_request_context():
        from flask_babel import force_locale

        with force_locale("en"):
            assert format_hours(Decimal("20"), language="en") == "20 hours"
            assert format_hours(Decimal("1"), language="en") == "1 hour"
            assert format_hours(2.5, language="en") == "2.5 hours"
