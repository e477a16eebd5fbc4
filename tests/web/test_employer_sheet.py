"""The cost & expectation sheet: saving it, the printable page, the PDF, and bad input kept next to the field."""
import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import select

from tests.web.employer_helpers import (
    complete_sheet,
    draft_place,
    employer_with_user,
    make_premium,
    place_form_data,
    sheet_form_data,
)
from web.models import CostLine, CostSheet, SheetPremium, StagePlace


def _sheet(session, place):
    return session.exec(select(CostSheet).where(CostSheet.place_id == place.id)).one()


def test_employer_saves_a_complete_sheet_with_lines_premiums_and_checklist(client, session, login_as):
    employer, user = employer_with_user(session)
    place = draft_place(session, employer)
    premium = make_premium(session)
    make_premium(session, code="old", name_nl="Vervallen premie", valid_to=date(2020, 1, 1))
    login_as(user)
    page = client.get(f"/werkgever/plaatsen/{place.id}/fiche/bewerken").get_data(as_text=True)
    assert "Individueel maatwerk - loonpremie" in page and "Vervallen premie" not in page
    response = client.post(f"/werkgever/plaatsen/{place.id}/fiche/bewerken", data=sheet_form_data(premiums=[str(premium.id)]))
    assert response.status_code == 302
    sheet = _sheet(session, place)
    assert (sheet.wage_mode, sheet.wage_amount, sheet.mentor_name, sheet.intention) == ("hour", 5, "Jan Peeters", "hire")
    assert sheet.checklist == [{"document": "Stageovereenkomst", "signer": "Werkgever en deelnemer", "due": "Voor de start"}]
    lines = session.exec(select(CostLine).where(CostLine.sheet_id == sheet.id).order_by(CostLine.position)).all()
    assert [(li.label, li.amount, li.period, li.payer) for li in lines] == [
        ("Veiligheidsschoenen", 120, "once", "stage_employer"), ("Fietsvergoeding", 50, "month", "se_employer")]
    assert session.exec(select(SheetPremium.premium_id).where(SheetPremium.sheet_id == sheet.id)).all() == [premium.id]


def test_preview_shows_the_sheet_with_computed_totals(client, session, login_as):
    employer, user = employer_with_user(session)
    place = draft_place(session, employer, hours_per_week=30, duration_weeks=8)
    login_as(user)
    client.post(f"/werkgever/plaatsen/{place.id}/fiche/bewerken", data=sheet_form_data())
    html = client.get(f"/werkgever/plaatsen/{place.id}").get_data(as_text=True)
    # wage 5 × 30 × 8 = 1200, mentor 2 × 40 × 8 = 640, shoes 120 → 1960 for the stage employer
    assert "1.960,00" in html
    # bike 50 a month over 8 weeks = 92.31 for the social-economy employer
    assert "92,31" in html
    assert "Jan Peeters" in html and "Stageovereenkomst" in html


def test_printable_sheet_is_a_standalone_page_in_dutch_or_english(client, session, login_as):
    employer, user = employer_with_user(session)
    place = draft_place(session, employer, title="Magazijnier")
    complete_sheet(session, place)
    login_as(user)
    dutch = client.get(f"/werkgever/plaatsen/{place.id}/fiche").get_data(as_text=True)
    assert "Kosten- en verwachtingenfiche" in dutch and "Magazijnier" in dutch and "site-header" not in dutch
    english = client.get(f"/werkgever/plaatsen/{place.id}/fiche?lang=en").get_data(as_text=True)
    assert "Cost and expectation sheet" in english


@pytest.mark.parametrize("lang, heading", [("nl", "Kosten- en verwachtingenfiche"), ("en", "Cost and expectation sheet")])
def test_sheet_downloads_as_a_real_pdf_with_the_place_title(client, session, login_as, lang, heading):
    employer, user = employer_with_user(session)
    place = draft_place(session, employer, title="Magazijnmedewerker Gent")
    complete_sheet(session, place)
    make_premium(session)
    login_as(user)
    response = client.get(f"/werkgever/plaatsen/{place.id}/fiche.pdf?lang={lang}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Magazijnmedewerker Gent" in text
    assert heading.casefold() in text.casefold()


# --- bad input: an error next to the field, everything else kept ---------------------------------

BAD_PLACE_INPUT = [
    ({"hours_per_week": "70"}, "hours_per_week", "Kies tussen 1 en 50 uur per week."),
    ({"start_date": (date.today() - timedelta(days=1)).isoformat()}, "start_date", "Deze datum ligt in het verleden."),
    ({"places": "0"}, "places", "Kies tussen 1 en 50 plaatsen."),
    ({"description": "x" * 20000}, "description", "Maximaal 5000 tekens."),
    ({"tasks": "<script>alert(1)</script>"}, "tasks", "Gebruik geen HTML-code"),
    ({"title": "<script>alert(1)</script>"}, "title", "Gebruik geen HTML-code"),
    ({"skills-0-name": "<script>x</script>"}, "skills-0-name", "Gebruik geen HTML-code"),
    ({"hours_per_week": "veel"}, "hours_per_week", "Vul een geheel getal in."),
    ({"postal_code": "0000"}, "postal_code", "Deze postcode kennen we niet."),
]


@pytest.mark.parametrize("bad, field, message", BAD_PLACE_INPUT, ids=[b[1] + "-" + b[2][:12] for b in BAD_PLACE_INPUT])
def test_bad_place_input_shows_a_dutch_error_next_to_the_field_and_keeps_the_rest(client, session, login_as, bad, field, message):
    employer, user = employer_with_user(session)
    login_as(user)
    data = place_form_data(schedule="ma-do 8-16 uur", **bad)
    response = client.post("/werkgever/plaatsen/nieuw", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    error = html.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message.replace("<", "&lt;") in error or message in error.replace("&lt;", "<").replace("&gt;", ">")
    assert 'value="ma-do 8-16 uur"' in html  # the other values are kept
    assert "<script>" not in html  # shown escaped, never executed
    assert session.exec(select(StagePlace).where(StagePlace.employer_id == employer.id)).first() is None


def test_markup_is_shown_escaped_when_kept_in_the_form(client, session, login_as):
    _employer, user = employer_with_user(session)
    login_as(user)
    html = client.post("/werkgever/plaatsen/nieuw", data=place_form_data(tasks="<script>alert(1)</script>")).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


BAD_SHEET_INPUT = [
    ({"wage_amount": "-5"}, "wage_amount", "Een bedrag kan niet negatief zijn."),
    ({"lines-0-amount": "-120"}, "lines-0-amount", "Een bedrag kan niet negatief zijn."),
    ({"mentor_hourly_cost": "-1"}, "mentor_hourly_cost", "Een bedrag kan niet negatief zijn."),
    ({"mentor_hours_per_week": "70"}, "mentor_hours_per_week", "Kies tussen 0 en 40 uur per week."),
    ({"first_day_plan": "y" * 20000}, "first_day_plan", "Maximaal 5000 tekens."),
    ({"safety_rules": "<script>alert(1)</script>"}, "safety_rules", "Gebruik geen HTML-code"),
    ({"checklist-0-document": "<img src=x onerror=alert(1)>"}, "checklist-0-document", "Gebruik geen HTML-code"),
    ({"wage_amount": ""}, "wage_amount", "Vul het bedrag in"),
    ({"wage_amount": "vijf"}, "wage_amount", "Vul een getal in."),
]


@pytest.mark.parametrize("bad, field, message", BAD_SHEET_INPUT, ids=[b[1] + "-" + b[2][:12] for b in BAD_SHEET_INPUT])
def test_bad_sheet_input_shows_a_dutch_error_next_to_the_field_and_keeps_the_rest(client, session, login_as, bad, field, message):
    employer, user = employer_with_user(session)
    place = draft_place(session, employer)
    login_as(user)
    response = client.post(f"/werkgever/plaatsen/{place.id}/fiche/bewerken", data=sheet_form_data(**bad))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = html.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert 'value="Om de twee weken"' in html and "Jobcoach van het maatwerkbedrijf" in html
    assert "<script>" not in html and "<img src=x" not in html
    assert _sheet(session, place).mentor_name is None


def test_a_comma_is_accepted_as_decimal_separator(client, session, login_as):
    employer, user = employer_with_user(session)
    place = draft_place(session, employer)
    login_as(user)
    assert client.post(f"/werkgever/plaatsen/{place.id}/fiche/bewerken", data=sheet_form_data(wage_amount="4,75")).status_code == 302
    assert _sheet(session, place).wage_amount == 4.75


def test_text_from_the_database_is_always_escaped_on_the_sheet(client, session, login_as):
    employer, user = employer_with_user(session)
    place = draft_place(session, employer, title="<b>Titel</b>", description="<script>alert(1)</script>")
    login_as(user)
    for url in (f"/werkgever/plaatsen/{place.id}", f"/werkgever/plaatsen/{place.id}/fiche", "/werkgever/plaatsen"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<b>Titel</b>" not in html and "&lt;b&gt;Titel&lt;/b&gt;" in html


def test_place_form_round_trip_keeps_existing_skills(client, session, login_as):
    employer, user = employer_with_user(session)
    place = draft_place(session, employer)
    login_as(user)
    html = client.get(f"/werkgever/plaatsen/{place.id}/bewerken").get_data(as_text=True)
    assert 'value="heftruck rijden"' in html
    assert client.post(f"/werkgever/plaatsen/{place.id}/bewerken", data=place_form_data(title="Nieuwe titel")).status_code == 302
    session.refresh(place)
    assert place.title == "Nieuwe titel"
