"""The seams between areas in a real browser: the shared cost & expectation sheet (coach place page, participant
sheet page), the coach's explanations and the participant's answers on the coach page, the required star of the
form macro; in Dutch and English, on a desktop and a 360 px phone."""
from __future__ import annotations

import pytest
from sqlmodel import select

from tests.browser.conftest import ui_login
from tests.browser.test_participant_journey import PHONE, assert_accessible, assert_fits_phone
from tests.conftest import TEST_PASSWORD, make_employer, make_participant, make_place, make_user
from web.models import CostLine, CostSheet, MatchSuggestion, PlaceAnswer, User

EXPLANATION = {
    "matched": [
        {"requirement": "vrachtwagens lossen", "skill": "laden en lossen", "level": 3, "min_level": 2, "required": True},
        {"requirement": "orderpicking", "skill": "orderpicking", "level": 1, "min_level": 2, "required": False},
    ],
    "missing": [{"requirement": "barcodescanner", "required": True, "min_level": 2}],
    "distance_km": 0.0, "exclusions": [], "improvements": [],
}


@pytest.fixture
def seam_data(live_server):
    with live_server.session() as db:
        coach = make_user(db, "coach", full_name="Kris Coach")
        user = make_user(db, "participant", full_name="Dana Peeters")
        dana = make_participant(db, coach, user=user, first_name="Dana", last_name="Peeters")
        employer = make_employer(db, name="Logistiek Noord", city="Gent")
        place = make_place(db, employer, title="Magazijnmedewerker", skills=(("vrachtwagens lossen", True, 2), ("orderpicking", False, 2)))
        other = make_place(db, employer, title="Nachtploeg magazijn")
        sheet = db.exec(select(CostSheet).where(CostSheet.place_id == place.id)).one()
        sheet.mentor_name, sheet.mentor_hours_per_week, sheet.intention, sheet.coach_visits = "Jan", 4, "hire", "elke twee weken"
        sheet.wage_mode, sheet.wage_amount, sheet.wage_payer = "hour", 4.5, "stage_employer"
        sheet.participant_pace = "Rustig tempo de eerste weken"
        sheet.checklist = [{"document": "Stageovereenkomst", "signer": "werkgever en deelnemer", "due": "voor de start"}]
        db.add(sheet)
        db.add(CostLine(sheet_id=sheet.id, kind="clothing", label="Veiligheidsschoenen", amount=60, period="once", payer="stage_employer", position=0))
        db.add(MatchSuggestion(participant_id=dana.id, place_id=place.id, score=82, explanation=EXPLANATION, engine_version="t",
                               released_to_participant=True))
        db.add(MatchSuggestion(participant_id=dana.id, place_id=other.id, score=60, explanation=EXPLANATION, engine_version="t",
                               released_to_participant=True))
        db.add(PlaceAnswer(participant_id=dana.id, place_id=other.id, answer="not_interested", reason="schedule", answered_by_id=user.id))
        db.commit()
        return {"coach": coach.email, "coach_id": coach.id, "user": user.email, "user_id": user.id, "dana": dana.id, "place": place.id}


def _language(live_server, user_id: int, language: str) -> None:
    with live_server.session() as db:
        user = db.get(User, user_id)
        user.language = language
        db.add(user)
        db.commit()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_coach_place_page_shows_the_sheet_and_plain_explanations(live_server, browser_page, shot, seam_data, language):
    _language(live_server, seam_data["coach_id"], language)
    for width, suffix in ((1280, ""), (360, "_360")):
        page = browser_page(width=width, height=900)
        ui_login(page, live_server.url, seam_data["coach"], TEST_PASSWORD)
        page.goto(f"{live_server.url}/coach/stageplaatsen/{seam_data['place']}")
        assert page.get_by_test_id("sheet").is_visible()
        reasons = page.locator("details.lazy-reasons").first
        reasons.locator("summary").click()  # the explanation is fetched when opened
        reasons.locator("ul.reasons").wait_for()
        text = page.inner_text("main")
        if language == "nl":
            assert "Dana kan „laden en lossen” op niveau 3 (gevraagd: 2)." in text and "Afstand: minder dan 1 km." in text
        else:
            assert "Dana has “laden en lossen” at level 3 (asked for: 2)." in text and "Distance: less than 1 km." in text
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
        shot(page, f"seam_coach_place{suffix}_{language}")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_coach_participant_page_shows_answers(live_server, browser_page, shot, seam_data, language):
    _language(live_server, seam_data["coach_id"], language)
    page = browser_page(**PHONE)
    ui_login(page, live_server.url, seam_data["coach"], TEST_PASSWORD)
    page.goto(f"{live_server.url}/coach/deelnemers/{seam_data['dana']}")
    answers = page.get_by_test_id("place-answers")
    expected = ("Liever niet", "Uren of rooster passen niet") if language == "nl" else ("Rather not", "Hours or schedule do not fit")
    for word in expected:
        assert word in answers.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    answers.scroll_into_view_if_needed()
    shot(page, f"seam_coach_participant_360_{language}")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_participant_opens_the_same_sheet_on_a_phone(live_server, browser_page, shot, seam_data, axe, language):
    _language(live_server, seam_data["user_id"], language)
    page = browser_page(**PHONE, bypass_csp=True)
    ui_login(page, live_server.url, seam_data["user"], TEST_PASSWORD)
    page.goto(f"{live_server.url}/deelnemer/vacatures/{seam_data['place']}")
    text = page.inner_text("main")
    # the participant's own words first, the employer's after them (issue 16, point 4)
    assert ("In jouw profiel: laden en lossen — zij vragen: vrachtwagens lossen. Dat past bij wat ze zoeken." if language == "nl"
            else "In your profile: laden en lossen — they ask for: vrachtwagens lossen. That fits what they are looking for.") in text
    shot(page, f"seam_participant_vacancy_360_{language}")
    link = "Bekijk de kosten- en verwachtingenfiche" if language == "nl" else "See the cost and expectation sheet"
    page.get_by_role("link", name=link).click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/deelnemer/vacatures/{seam_data['place']}/fiche")
    assert page.get_by_test_id("sheet").is_visible() and "Veiligheidsschoenen" in page.inner_text("main")
    assert_fits_phone(page)
    assert_accessible(page, axe)
    shot(page, f"seam_participant_sheet_360_{language}")


def test_required_star_sits_in_the_label(live_server, browser_page, shot):
    page = browser_page(**PHONE)
    page.goto(f"{live_server.url}/auth/login")
    label = page.locator("label[for=email]")
    assert label.locator(".req").count() == 1
    box_label, box_star = label.bounding_box(), label.locator(".req").bounding_box()
    assert box_star["y"] < box_label["y"] + box_label["height"]
    assert abs(box_star["y"] - label.bounding_box()["y"]) < 8  # on the label's line, not wrapped under it
    shot(page, "seam_login_required_star_360_nl")
