"""Repeating rows in a real browser: the "add another row" button adds numbered rows that are saved, in Dutch and English."""
import pytest
from sqlmodel import select

from tests.browser.conftest import switch_language, ui_login
from tests.conftest import TEST_PASSWORD, make_participant, make_user
from tests.web.employer_helpers import draft_place, employer_with_user
from web.models import CostLine, CostSheet, ParticipantSkill, PlaceSkill

ADD = {"nl": "Nog een rij toevoegen", "en": "Add another row"}
REMOVE = {"nl": "Verwijder", "en": "Remove"}
SKILLS = ["heftruck rijden", "orderpicking", "inpakken", "voorraadbeheer", "etiketteren"]


def _add_two_rows_and_fill(page, language, first_new_index):
    add = page.get_by_role("button", name=ADD[language])
    for offset in range(2):
        add.click()
        new_id = f"skills-{first_new_index + offset}-name"
        assert page.evaluate("() => document.activeElement.id") == new_id
        assert page.locator(f"label[for={new_id}]").count() == 1
        assert page.input_value(f"#{new_id}") == ""
    for index, name in enumerate(SKILLS):
        page.fill(f"#skills-{index}-name", name)


def _no_horizontal_scroll(page, width):
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width + 2


@pytest.mark.parametrize(("language", "width"), [("nl", 1280), ("en", 1280), ("nl", 360), ("en", 360)])
def test_employer_adds_skill_rows_with_the_button_and_saves_them(live_server, browser_page, shot, language, width):
    with live_server.session() as db:
        employer, user = employer_with_user(db)
        place_id, email = draft_place(db, employer, title="Magazijnmedewerker", skills=()).id, user.email
    page = browser_page(width=width, height=900)
    ui_login(page, live_server.url, email, TEST_PASSWORD)
    switch_language(page, language)
    page.goto(f"{live_server.url}/werkgever/plaatsen/{place_id}/bewerken")
    assert page.get_by_test_id("skill-row").count() == 3
    _add_two_rows_and_fill(page, language, 3)
    assert page.get_by_test_id("skill-row").count() == 5
    # a third extra row, removed again with its own button: it is not saved
    page.get_by_role("button", name=ADD[language]).click()
    page.fill("#skills-5-name", "weggooien")
    page.get_by_test_id("skill-row").nth(5).get_by_role("button", name=REMOVE[language]).click()
    assert page.get_by_test_id("skill-row").count() == 5 and page.locator("#skills-5-name").count() == 0
    _no_horizontal_scroll(page, width)
    shot(page, f"form_rows_place_{language}_{width}")
    page.locator("button[type=submit].primary").click()
    page.wait_for_load_state("networkidle")
    assert f"/werkgever/plaatsen/{place_id}" in page.url and "bewerken" not in page.url
    for name in SKILLS:
        assert page.get_by_text(name).count() >= 1
    with live_server.session() as db:
        saved = db.exec(select(PlaceSkill.name).where(PlaceSkill.place_id == place_id).order_by(PlaceSkill.position)).all()
    assert saved == SKILLS


@pytest.mark.parametrize(("language", "width"), [("nl", 1280), ("en", 360)])
def test_coach_adds_skill_rows_with_the_button_and_saves_them(live_server, browser_page, shot, language, width):
    with live_server.session() as db:
        coach = make_user(db, "coach")
        person_id, email = make_participant(db, coach, skills=()).id, coach.email
    page = browser_page(width=width, height=900)
    ui_login(page, live_server.url, email, TEST_PASSWORD)
    switch_language(page, language)
    page.goto(f"{live_server.url}/coach/deelnemers/{person_id}/profiel")
    rows = page.get_by_test_id("skill-rows").locator(".skill-row")
    assert rows.count() == 3
    _add_two_rows_and_fill(page, language, 3)
    label = {"nl": "Vaardigheid 5", "en": "Skill 5"}[language]
    assert page.locator("label[for=skills-4-name]").inner_text() == label
    page.select_option("#skills-4-level", "4")
    _no_horizontal_scroll(page, width)
    shot(page, f"form_rows_profile_{language}_{width}")
    page.locator("button[type=submit].primary").click()
    page.wait_for_load_state("networkidle")
    assert "/plaatsen" in page.url
    with live_server.session() as db:
        saved = dict(db.exec(select(ParticipantSkill.name, ParticipantSkill.level).where(ParticipantSkill.participant_id == person_id)).all())
    assert sorted(saved) == sorted(SKILLS) and saved["etiketteren"] == 4


def test_employer_adds_cost_lines_and_checklist_rows_on_a_phone(live_server, browser_page, shot):
    with live_server.session() as db:
        employer, user = employer_with_user(db)
        place_id, email = draft_place(db, employer, title="Magazijnmedewerker", skills=()).id, user.email
    page = browser_page(width=360, height=740)
    ui_login(page, live_server.url, email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/werkgever/plaatsen/{place_id}/fiche/bewerken")
    lines = page.get_by_test_id("cost-row").count()
    page.get_by_role("button", name=ADD["nl"]).first.click()
    new_line = f"lines-{lines}"
    assert page.evaluate("() => document.activeElement.id") == f"{new_line}-kind"
    assert page.input_value(f"#{new_line}-kind") == "other" and page.input_value(f"#{new_line}-period") == "once"
    page.fill(f"#{new_line}-label", "Werkhandschoenen")
    page.fill(f"#{new_line}-amount", "15")
    checklist = page.get_by_test_id("checklist-row").count()
    page.get_by_role("button", name=ADD["nl"]).nth(1).click()
    page.fill(f"#checklist-{checklist}-document", "Risicoanalyse")
    _no_horizontal_scroll(page, 360)
    shot(page, "form_rows_sheet_nl_360")
    page.locator("button[type=submit].primary").click()
    page.wait_for_load_state("networkidle")
    assert "bewerken" not in page.url
    with live_server.session() as db:
        sheet = db.exec(select(CostSheet).where(CostSheet.place_id == place_id)).one()
        labels = db.exec(select(CostLine.label, CostLine.amount).where(CostLine.sheet_id == sheet.id)).all()
        assert ("Werkhandschoenen", 15) in [(label, amount) for label, amount in labels]
        assert [row["document"] for row in sheet.checklist] == ["Risicoanalyse"]
