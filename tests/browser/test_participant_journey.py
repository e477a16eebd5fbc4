"""The participant's journey on a phone (360×740): log in, see suggestions, answer one, follow the trajectory,
download my data; axe-core finds no serious or critical accessibility violations, in Dutch and in English.

axe-core is vendored at run time from the npm registry (``npm pack axe-core`` into a temporary folder) into
``tests/browser/vendor/axe.min.js``; no CDN is used while the pages are tested.
"""
import json

import pytest
from sqlmodel import select

from tests.browser.conftest import serious_violations, switch_language, ui_login
from tests.conftest import (
    TEST_PASSWORD,
    make_employer,
    make_participant,
    make_place,
    make_proposal,
    make_user,
)
from web.models import CostSheet, MatchSuggestion, ProfileView, Proposal

PHONE = {"width": 360, "height": 740}
EXPLANATION = {
    "matched": [{"requirement": "heftruck rijden", "skill": "heftruck", "similarity": 1.0, "level": 3, "min_level": 2, "required": True}],
    "missing": [{"requirement": "orderpicking", "required": True, "min_level": 2}],
    "distance_km": 6.4, "exclusions": [], "improvements": [],
}


def assert_accessible(page, axe) -> None:
    """Run axe-core in the page and fail on serious or critical violations."""
    bad = serious_violations(axe(page))
    assert not bad, f"{page.url}: {bad}"


def assert_fits_phone(page) -> None:
    """No horizontal scrolling, and every button or big link is at least 44 px high."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
    small = page.evaluate(
        """() => [...document.querySelectorAll('main .button, main button, main .p-big-link, nav.main-nav a')]
              .filter(el => el.offsetParent !== null && el.getBoundingClientRect().height < 44)
              .map(el => el.textContent.trim())"""
    )
    assert not small, f"{page.url}: touch targets under 44px: {small}"


@pytest.fixture
def journey_data(live_server):
    with live_server.session() as db:
        coach = make_user(db, "coach", full_name="Kris Coach")
        user = make_user(db, "participant", full_name="Amina El Idrissi")
        me = make_participant(db, coach, user=user, first_name="Amina", last_name="El Idrissi")
        employer = make_employer(db, name="Logistiek Noord", city="Gent")
        released = make_place(db, employer, title="Magazijnmedewerker", schedule="Ma–vr, 8u–14u30")
        proposed = make_place(db, employer, title="Orderpicker")
        sheet = db.exec(select(CostSheet).where(CostSheet.place_id == released.id)).one()
        sheet.mentor_name, sheet.intention, sheet.coach_visits = "Jan", "hire", "elke twee weken"
        db.add(sheet)
        db.add(MatchSuggestion(participant_id=me.id, place_id=released.id, score=82, explanation=EXPLANATION, engine_version="t",
                               released_to_participant=True))
        db.commit()
        proposal = make_proposal(db, me, proposed)
        db.add(ProfileView(participant_id=me.id, employer_id=employer.id, proposal_id=proposal.id))
        db.commit()
        return {"email": user.email, "proposal_id": proposal.id, "released_id": released.id, "proposed_id": proposed.id}


def test_participant_journey_on_a_phone(live_server, browser_page, shot, axe, journey_data, tmp_path):
    page = browser_page(**PHONE, bypass_csp=True)
    ui_login(page, live_server.url, journey_data["email"], TEST_PASSWORD)
    assert page.url.endswith("/deelnemer/")
    assert "Waar sta je nu?" in page.content()
    assert_fits_phone(page)
    assert_accessible(page, axe)
    shot(page, "participant-dashboard-nl")

    # see suggestions
    page.locator(".p-menu").get_by_role("link", name="Mijn vacatures").click()
    page.wait_for_load_state("networkidle")
    cards = page.get_by_test_id("vacancy-card")
    assert cards.count() == 2
    assert "In jouw profiel: heftruck — zij vragen: heftruck rijden. Dat past bij wat ze zoeken." in page.content()
    assert_fits_phone(page)
    assert_accessible(page, axe)
    shot(page, "participant-vacancies-nl")

    # answer one: the proposal
    page.get_by_role("link", name="Meer over Orderpicker").click()
    page.wait_for_load_state("networkidle")
    assert_fits_phone(page)
    assert_accessible(page, axe)
    shot(page, "participant-vacancy-nl")
    page.get_by_role("button", name="Ik wil dit").click()
    page.wait_for_load_state("networkidle")
    assert "Goed zo! Je coach weet nu dat je dit wil." in page.content()
    shot(page, "participant-answered-nl")
    with live_server.session() as db:
        assert db.get(Proposal, journey_data["proposal_id"]).state == "participant_agreed"

    # my trajectory
    page.locator("nav.main-nav").get_by_role("link", name="Mijn traject").click()
    page.wait_for_load_state("networkidle")
    assert "Je zei ja. Nu wachten we op de werkgever." in page.content()
    assert_fits_phone(page)
    assert_accessible(page, axe)
    shot(page, "participant-trajectory-nl")

    # my data: the view log and a download
    page.locator("nav.main-nav").get_by_role("link", name="Mijn gegevens").click()
    page.wait_for_load_state("networkidle")
    assert "Logistiek Noord" in page.content() and "keer, laatst op" in page.content()
    assert_fits_phone(page)
    assert_accessible(page, axe)
    shot(page, "participant-my-data-nl")
    with page.expect_download(timeout=30_000) as info:  # the first WeasyPrint render loads its fonts
        page.get_by_role("link", name="Download als bestand (JSON)").click()
    path = tmp_path / "export.json"
    info.value.save_as(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["participant"]["first_name"] == "Amina"
    assert data["proposals"][0]["state"] == "participant_agreed"
    page.get_by_role("link", name="Bekijk als pagina").click()
    page.wait_for_load_state("networkidle")
    assert "Alles wat Stagebrug over jou weet" in page.content()
    assert_accessible(page, axe)
    shot(page, "participant-export-nl")

    # the same pages in English
    switch_language(page, "en")
    for path, name, text in (("/deelnemer/vacatures", "vacancies", "My vacancies"),
                             (f"/deelnemer/vacatures/{journey_data['released_id']}", "vacancy", "I want this"),
                             ("/deelnemer/traject", "trajectory", "You said yes. Now we wait for the employer."),
                             ("/deelnemer/gegevens", "my-data", "Who looked at my profile?")):
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == "en"
        assert text in page.content(), path
        assert_fits_phone(page)
        assert_accessible(page, axe)
        shot(page, f"participant-{name}-en")

    # changed my mind: no after all, with a reason (English), then the same offer in Dutch is gone
    page.goto(f"{live_server.url}/deelnemer/vacatures/{journey_data['proposed_id']}")
    assert "You said yes. Changed your mind?" in page.content()
    assert_fits_phone(page)
    assert_accessible(page, axe)
    shot(page, "participant-take-back-en")
    page.get_by_label("The hours do not suit me").last.check()
    page.get_by_role("button", name="No after all").click()
    page.wait_for_load_state("networkidle")
    assert "Your coach knows now." in page.content()
    with live_server.session() as db:
        proposal = db.get(Proposal, journey_data["proposal_id"])
        assert (proposal.state, proposal.decline_reason, proposal.declined_by) == ("declined", "schedule", "participant")
    switch_language(page, "nl")
    page.goto(f"{live_server.url}/deelnemer/vacatures/{journey_data['proposed_id']}")
    assert "Toch niet meer?" not in page.content()
    shot(page, "participant-taken-back-nl")
