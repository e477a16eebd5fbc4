"""Occupation wishes in a real browser: the coach types a misspelt wish, the autocomplete offers the ESCO label,
a second row is added with the button, the wishes are saved, and the participant reads them, in Dutch and English."""
import pytest
from sqlmodel import select

from tests.browser.conftest import serious_violations, switch_language, ui_login
from tests.conftest import TEST_PASSWORD, make_participant, make_user
from web.models import Participant

ADD = {"nl": "Nog een beroepswens toevoegen", "en": "Add another occupation wish"}
SENTENCE = {
    "nl": "Je wil graag magazijnier of heftruckchauffeur worden.",
    "en": "You would like to work as magazijnier or heftruckchauffeur.",
}


@pytest.mark.parametrize(("language", "width"), [("nl", 1280), ("en", 1280), ("nl", 360), ("en", 360)])
def test_coach_picks_wishes_from_the_autocomplete_and_the_participant_reads_them(live_server, browser_page, shot, axe, language, width):
    with live_server.session() as db:
        coach = make_user(db, "coach")
        user = make_user(db, "participant")
        person = make_participant(db, coach, user=user)
        coach_email, participant_email, person_id = coach.email, user.email, person.id
    page = browser_page(width=width, height=900, bypass_csp=True)
    ui_login(page, live_server.url, coach_email, TEST_PASSWORD)
    switch_language(page, language)
    page.goto(f"{live_server.url}/coach/deelnemers/{person_id}/profiel")
    rows = page.get_by_test_id("wish-rows")
    assert rows.locator("input").count() == 1
    page.locator("#occupations-0-name").press_sequentially("magazinier", delay=20)
    page.wait_for_function("() => [...document.querySelectorAll('#occupation-list option')].some(o => o.value === 'magazijnier')")
    page.fill("#occupations-0-name", "magazijnier")
    add = page.locator("[data-testid=wish-rows] + .row-actions").get_by_role("button", name=ADD[language])
    add.click()
    assert page.evaluate("() => document.activeElement.id") == "occupations-1-name"
    page.fill("#occupations-1-name", "heftruckchauffeur")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width + 2
    if width == 1280 and language == "nl":
        assert serious_violations(axe(page)) == []
    page.locator("#occupations-1-name").scroll_into_view_if_needed()
    shot(page, f"wishes_profile_form_{language}_{width}")
    page.locator("button[type=submit].primary").click()
    page.wait_for_load_state("networkidle")
    with live_server.session() as db:
        assert db.exec(select(Participant.occupations).where(Participant.id == person_id)).one() == ["magazijnier", "heftruckchauffeur"]
    page.goto(f"{live_server.url}/coach/deelnemers/{person_id}")
    assert "magazijnier" in page.get_by_test_id("wishes").inner_text()
    shot(page, f"wishes_coach_participant_{language}_{width}")

    other = browser_page(width=width, height=900)
    ui_login(other, live_server.url, participant_email, TEST_PASSWORD)
    switch_language(other, language)
    other.goto(f"{live_server.url}/deelnemer/")
    assert SENTENCE[language] in other.get_by_test_id("wishes").inner_text()
    shot(other, f"wishes_participant_{language}_{width}")


@pytest.mark.parametrize(("language", "width"), [("nl", 1280), ("en", 360)])
def test_employer_picks_the_occupation_of_a_place_from_the_autocomplete(live_server, browser_page, shot, language, width):
    from tests.web.employer_helpers import draft_place, employer_with_user
    from web.models import StagePlace

    with live_server.session() as db:
        employer, user = employer_with_user(db)
        place_id, email = draft_place(db, employer, title="Stage in ons magazijn", skills=()).id, user.email
    page = browser_page(width=width, height=900)
    ui_login(page, live_server.url, email, TEST_PASSWORD)
    switch_language(page, language)
    page.goto(f"{live_server.url}/werkgever/plaatsen/{place_id}/bewerken")
    page.locator("#occupation").press_sequentially("heftruckchaufeur", delay=20)
    page.wait_for_function("() => [...document.querySelectorAll('#occupation-list option')].some(o => o.value === 'heftruckchauffeur')")
    page.fill("#occupation", "heftruckchauffeur")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width + 2
    page.locator("#occupation").scroll_into_view_if_needed()
    shot(page, f"wishes_place_occupation_{language}_{width}")
    page.locator("button[type=submit].primary").click()
    page.wait_for_load_state("networkidle")
    with live_server.session() as db:
        place = db.get(StagePlace, place_id)
        assert place.occupation == "heftruckchauffeur" and place.title_esco_uri
